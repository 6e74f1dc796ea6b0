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

// isPlainURI accepts a strict subset of what the WHATWG URL parser (the Node client's and the
// app's) accepts: a scheme, then either `//` and a host of letters, digits, `.`, `-`, `_` and `~`
// with an optional numeric port, or (other schemes than http and https) an opaque part; then a
// path, query and fragment of URI characters without `%`, `\`, quotes, brackets or spaces. So
// `https://management.azure.com/`, `api://6dae42f8-…` and `urn:ms:x` pass, and whatever does not
// is left to the Node client, which either accepts it too or words the usage error.
func isPlainURI(text string) bool {
	colon := strings.IndexByte(text, ':')
	if colon < 1 || len(text) > 2048 {
		return false
	}
	scheme := text[:colon]
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		letter := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !(letter || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
			return false
		}
	}
	rest := text[colon+1:]
	special := strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")
	if strings.HasPrefix(rest, "//") {
		authority := rest[2:]
		if end := strings.IndexAny(authority, "/?#"); end >= 0 {
			authority, rest = authority[:end], authority[end:]
		} else {
			rest = ""
		}
		host, port := authority, ""
		if at := strings.IndexByte(authority, ':'); at >= 0 {
			host, port = authority[:at], authority[at+1:]
			if !isDigits(port, 5) {
				return false
			}
		}
		if host == "" || !allIn(host, isHostByte) {
			return false
		}
	} else if special || rest == "" {
		return false
	}
	return allIn(rest, isPathByte)
}

func allIn(text string, allowed func(byte) bool) bool {
	for i := 0; i < len(text); i++ {
		if !allowed(text[i]) {
			return false
		}
	}
	return true
}

func isHostByte(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~'
}

func isPathByte(c byte) bool {
	return isHostByte(c) || strings.IndexByte("/?#:@!$&'()*+,;=", c) >= 0
}
