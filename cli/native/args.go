//go:build !windows

package main

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// tokenOptions is a parsed `tessera token` command line (cli/args.ts's token command).
type tokenOptions struct {
	account         *string
	scopes          []string
	resource        string
	minValidSeconds *int
	forceRefresh    bool
	interactive     bool
	idToken         bool
	program         string
	format          string
	envName         string
}

const defaultEnvName = "TESSERA_ACCESS_TOKEN"

// parseToken reads a `tessera token` command line. It returns ok=false for anything it does not
// answer itself: another subcommand, --help, --format az, or any usage error — the Node client
// then parses the line and, for an error, says what to type instead.
func parseToken(args []string) (tokenOptions, bool) {
	options := tokenOptions{format: "raw", envName: defaultEnvName}
	if len(args) == 0 || args[0] != "token" {
		return options, false
	}
	rest := args[1:]
	hasAccount := false
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			return options, false // a command belongs to `tessera exec`
		}
		// --name=value is accepted as well as --name value.
		flag, inline, hasInline := arg, "", false
		if strings.HasPrefix(arg, "--") {
			if eq := strings.Index(arg, "="); eq > 0 {
				flag, inline, hasInline = arg[:eq], arg[eq+1:], true
			}
		}
		value := func() (string, bool) {
			if hasInline {
				return inline, true
			}
			if i+1 >= len(rest) || rest[i+1] == "--" {
				return "", false
			}
			i++
			return rest[i], true
		}
		switch flag {
		case "-s", "--scope":
			v, ok := value()
			if !ok {
				return options, false
			}
			options.scopes = append(options.scopes, strings.Fields(v)...)
		case "--resource":
			v, ok := value()
			if !ok {
				return options, false
			}
			// Anything plainer than a simple absolute URI goes to the Node client, whose URL parser
			// (WHATWG, as the app's) decides and words the error.
			if !isPlainURI(v) {
				return options, false
			}
			options.resource = v
		case "--min-valid", "--time":
			v, ok := value()
			if !ok || !isDigits(v, 0) {
				return options, false
			}
			seconds, err := strconv.Atoi(v)
			if err != nil || seconds > 86400 {
				return options, false
			}
			options.minValidSeconds = &seconds
		case "--force-refresh":
			options.forceRefresh = true
		case "--interactive":
			options.interactive = true
		case "--id-token":
			options.idToken = true
		case "--program":
			v, ok := value()
			if !ok || strings.TrimSpace(v) == "" || len(utf16.Encode([]rune(v))) > 128 {
				return options, false
			}
			options.program = v
		case "--format", "-f":
			v, ok := value()
			if !ok || (v != "raw" && v != "header" && v != "json" && v != "env") {
				return options, false // `az` is an integration's; anything else a usage error
			}
			options.format = v
		case "--env":
			v, ok := value()
			if !ok || !isEnvName(v) {
				return options, false
			}
			options.envName = v
		default:
			if strings.HasPrefix(arg, "-") || hasAccount {
				return options, false // --help, an unknown option, a second account
			}
			account := arg
			options.account = &account
			hasAccount = true
		}
	}
	return options, true
}
