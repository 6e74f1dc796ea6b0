//go:build !windows

// Command tessera-native is the fast path of the `tessera` command: `tessera token` answered by the
// running app over its local socket in a few milliseconds, without starting Node (whose own start-up
// costs 25–40 ms, ten times oidc-token's whole run).
//
// It answers only a well-formed `tessera token` with the raw, header, json or env format. Everything
// else — help, usage errors, status, accounts, exec and the integrations — is handed to the Node
// client (cli/tessera.cjs) by exec, in the same process, so the Node client stays the one source of
// the command's usage, messages and integrations. The wire protocol is docs/bridge-protocols.md's;
// the exit codes and protocol version are generated from the TypeScript sources (build.mjs).
package main

import "os"

func main() {
	args := os.Args[1:]
	options, ok := parseToken(args)
	if !ok {
		os.Exit(delegate(args))
	}
	os.Exit(runToken(options))
}
