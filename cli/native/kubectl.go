//go:build !windows

package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"time"
)

// kubectlOptions is a parsed `tessera kubectl-credential` command line
// (cli/integrations/kubectl-credential.ts).
type kubectlOptions struct {
	account         *string
	scopes          []string
	tenantID        string
	hasTenantID     bool
	minValidSeconds *int
	// notes are the kubelogin options that mean nothing here, said once each on stderr.
	notes []string
}

// kubeloginBooleanFlags are kubelogin's `get-token` flags without a value; every other unknown
// flag is taken to have one, as pflag does for string flags.
var kubeloginBooleanFlags = map[string]bool{"--legacy": true, "--use-azurerm-env-vars": true, "--pop-enabled": true}

// parseKubectl reads `tessera kubectl-credential [ACCOUNT] [--account A] [--scope S]…
// [--server-id APP] [--tenant-id T] [--min-valid SECONDS]`, also as kubelogin's `get-token`. It
// returns ok=false for anything it does not answer itself, usage errors included: the Node client
// then says what is wrong.
func parseKubectl(args []string) (kubectlOptions, bool) {
	var options kubectlOptions
	if len(args) == 0 || (args[0] != "kubectl-credential" && args[0] != "get-token") {
		return options, false
	}
	rest := args[1:]
	values := map[string][]string{}
	var positionals []string
	seenNote := map[string]bool{}
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			positionals = append(positionals, rest[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			positionals = append(positionals, arg)
			continue
		}
		name, inline, hasInline := arg, "", false
		if eq := strings.Index(arg, "="); eq > 0 {
			name, inline, hasInline = arg[:eq], arg[eq+1:], true
		}
		switch name {
		case "--account", "--scope", "--server-id", "--tenant-id", "-t", "--min-valid":
		default:
			// kubelogin's own sign-in options: skipped with a note, their values never repeated.
			if len(name) > 64 || !isASCII(name) {
				return options, false
			}
			if !seenNote[name] {
				seenNote[name] = true
				options.notes = append(options.notes, "tessera: ignoring "+name+": the token comes from the account in Tessera.")
			}
			if !hasInline && !kubeloginBooleanFlags[name] && i+1 < len(rest) && !strings.HasPrefix(rest[i+1], "-") {
				i++
			}
			continue
		}
		value := inline
		if !hasInline {
			if i+1 >= len(rest) {
				return options, false
			}
			i++
			value = rest[i]
		}
		if len(values[name]) > 0 && name != "--scope" {
			return options, false // given twice
		}
		values[name] = append(values[name], value)
	}
	if len(positionals) > 1 || (len(positionals) == 1 && len(values["--account"]) > 0) {
		return options, false
	}
	if len(positionals) == 1 {
		options.account = &positionals[0]
	} else if named := values["--account"]; len(named) > 0 {
		options.account = &named[0]
	}
	options.scopes = append(options.scopes, values["--scope"]...)
	if serverID := values["--server-id"]; len(serverID) > 0 {
		// Entra's v1 resource → v2 scope, as cli/integrations/get-token.ts resourceScope.
		options.scopes = append(options.scopes, serverID[0]+"/.default")
	}
	for _, scope := range options.scopes {
		if !isScopeToken(scope) {
			return options, false
		}
	}
	if tenant := append(values["--tenant-id"], values["-t"]...); len(tenant) > 0 {
		options.tenantID, options.hasTenantID = tenant[0], true
	}
	if raw := values["--min-valid"]; len(raw) > 0 {
		if !isDigits(raw[0], 6) {
			return options, false
		}
		n, _ := strconv.Atoi(raw[0])
		if n > 86400 {
			return options, false
		}
		options.minValidSeconds = &n
	}
	return options, true
}

func isASCII(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			return false
		}
	}
	return true
}

// execCredentialVersions are the ExecCredential API versions client-go speaks.
var execCredentialVersions = []string{"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"}

// execCredentialVersion is the version KUBERNETES_EXEC_INFO names; v1beta1 when it names none we
// know, as kubelogin answers (every client-go since 1.11 reads it).
func execCredentialVersion(execInfo string) string {
	var info struct {
		APIVersion interface{} `json:"apiVersion"`
	}
	if execInfo != "" && json.Unmarshal([]byte(execInfo), &info) == nil {
		for _, version := range execCredentialVersions {
			if info.APIVersion == version {
				return version
			}
		}
	}
	return execCredentialVersions[1]
}

type execCredential struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Interactive bool `json:"interactive"`
	} `json:"spec"`
	Status struct {
		Token               string `json:"token"`
		ExpirationTimestamp string `json:"expirationTimestamp"`
	} `json:"status"`
}

// runKubectl prints the ExecCredential kubectl reads; returns the exit code.
func runKubectl(options kubectlOptions) int {
	for _, note := range options.notes {
		_, _ = os.Stderr.WriteString(note + "\n")
	}
	params := tokenParams{Account: options.account, Scopes: options.scopes, MinValidSeconds: options.minValidSeconds}
	value, exit, ok := askToken(params, "kubectl", "")
	if !ok {
		return exit
	}
	// A token of another tenant would get a less helpful 401 from the cluster.
	if options.hasTenantID && value.Account.Tenant != "" && !strings.EqualFold(options.tenantID, value.Account.Tenant) {
		stderr("The account " + value.Account.Username + " is in another tenant than the kubeconfig's --tenant-id. Name an account of that tenant in the kubeconfig's args.")
		return exitFailure
	}
	credential := execCredential{APIVersion: execCredentialVersion(os.Getenv("KUBERNETES_EXEC_INFO")), Kind: "ExecCredential"}
	credential.Status.Token = value.AccessToken
	// RFC 3339 in UTC with whole seconds, as Kubernetes' metav1.Time writes it. client-go runs the
	// plugin again once it has passed; without it, only after a 401.
	credential.Status.ExpirationTimestamp = time.UnixMilli(int64(value.ExpiresOn * 1000)).UTC().Format("2006-01-02T15:04:05Z")
	return writeOut(encodeJSON(credential))
}
