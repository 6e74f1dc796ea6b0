//go:build !windows

// Command tessera-native is the fast path of the `tessera` command: `tessera token` answered by the
// running app over its local socket in a few milliseconds, without starting Node (whose own start-up
// costs 25–40 ms, ten times oidc-token's whole run).
//
// It answers a well-formed `tessera token` (raw, header, json or env format) and `tessera
// kubectl-credential` (kubectl runs it on every command). Everything else — help, usage errors,
// status, accounts, exec and the other integrations — is handed to the Node client
// (cli/tessera.cjs) by exec, in the same process, so the Node client stays the one source of the
// command's usage, messages and integrations. The wire protocol is docs/bridge-protocols.md's;
// the exit codes and protocol version are generated from the TypeScript sources (build.mjs).
package main

import "os"

func main() {
	args := os.Args[1:]
	if options, ok := parseToken(args); ok {
		os.Exit(runToken(options))
	}
	if options, ok := parseKubectl(args); ok {
		os.Exit(runKubectl(options))
	}
	os.Exit(delegate(args))
}
