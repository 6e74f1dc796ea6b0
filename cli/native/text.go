//go:build !windows

package main

import "strings"

// The checks below are loops, not regular expressions: compiling the patterns at start cost 1.7 ms
// of a 4 ms run (GODEBUG=inittrace=1), more than the whole socket round trip.

// isDigits: one or more ASCII digits, at most max of them (0: no limit) — JavaScript's /^\d+$/.
func isDigits(text string, max int) bool {
	if text == "" || (max > 0 && len(text) > max) {
		return false
	}
	for i := 0; i < len(text); i++ {
		if text[i] < '0' || text[i] > '9' {
			return false
		}
	}
	return true
}

// isEnvName: a shell variable name, /^[A-Za-z_][A-Za-z0-9_]*$/ (cli/args.ts).
func isEnvName(text string) bool {
	if text == "" || (text[0] >= '0' && text[0] <= '9') {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// isScopeToken: RFC 6749 §3.3 scope-token of 1 to 512 characters — printable ASCII except space,
// `"` and `\` (cli/integrations/get-token.ts).
func isScopeToken(text string) bool {
	if text == "" || len(text) > 512 {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < 0x21 || c > 0x7E || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// replaceControls turns C0 and C1 control characters into "?": they would let a program name
// rewrite the prompt, and the app refuses them.
func replaceControls(text string) string {
	return strings.Map(func(r rune) rune {
		if r <= 0x1F || (r >= 0x7F && r <= 0x9F) {
			return '?'
		}
		return r
	}, text)
}
