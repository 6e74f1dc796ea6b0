//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"time"
)

// tokenParams are the `token` request's parameters (the app's bridgeTokenParamsSchema), in the
// Node client's order.
type tokenParams struct {
	Account         *string  `json:"account,omitempty"`
	Scopes          []string `json:"scopes,omitempty"`
	Resource        string   `json:"resource,omitempty"`
	MinValidSeconds *int     `json:"minValidSeconds,omitempty"`
	ForceRefresh    bool     `json:"forceRefresh,omitempty"`
	WithIDToken     bool     `json:"withIdToken,omitempty"`
	Interactive     bool     `json:"interactive,omitempty"`
}

type tokenRequest struct {
	V      int          `json:"v"`
	ID     int          `json:"id"`
	Method string       `json:"method"`
	Params tokenParams  `json:"params"`
	Caller callerReport `json:"caller"`
}

// tokenValue is the `token` answer (main/bridge/protocol.ts TokenValue): never a refresh token.
type tokenValue struct {
	AccessToken string   `json:"accessToken"`
	TokenType   string   `json:"tokenType"`
	ExpiresOn   float64  `json:"expiresOn"`
	Scopes      []string `json:"scopes"`
	Account     struct {
		ID          string `json:"id"`
		Username    string `json:"username"`
		ProfileName string `json:"profileName"`
		Tenant      string `json:"tenant"`
	} `json:"account"`
	IDToken string `json:"idToken"`
}

// tokenJSON is `--format json`'s object, in the Node client's order.
type tokenJSON struct {
	AccessToken string   `json:"accessToken"`
	TokenType   string   `json:"tokenType"`
	ExpiresOn   float64  `json:"expiresOn"`
	ExpiresAt   string   `json:"expiresAt"`
	Scopes      []string `json:"scopes"`
	Account     string   `json:"account"`
	AccountID   string   `json:"accountId"`
	Profile     string   `json:"profile"`
	IDToken     string   `json:"idToken,omitempty"`
}

// stderr writes one line of the command's own: "tessera: " and the message.
func stderr(message string) { _, _ = os.Stderr.WriteString("tessera: " + message + "\n") }

// encodeJSON is JSON.stringify's text: no HTML escaping.
func encodeJSON(value interface{}) []byte {
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	_ = encoder.Encode(value) // plain structs of strings and numbers: cannot fail
	return buffer.Bytes()     // with Encode's newline, which ends the request line too
}

// askToken sends one `token` request for the caller report of `integration` and returns the
// answer's value. When it fails it has printed the one-line error, and ok is false with the exit
// code to end with.
func askToken(params tokenParams, integration string, program string) (value tokenValue, exit int, ok bool) {
	socket, err := connectToApp(clientEndpoints())
	if err != nil {
		stderr(err.Error())
		return value, exitAppNotRunning, false
	}
	caller := describeCaller(integration, program)
	line := encodeJSON(tokenRequest{V: protocolVersion, ID: 1, Method: "token", Params: params, Caller: caller})
	raw, appError, err := request(socket, line, stderr)
	if err != nil {
		stderr(err.Error())
		if _, closed := err.(*notRunning); closed {
			return value, exitAppNotRunning, false
		}
		return value, exitFailure, false
	}
	if appError != nil {
		stderr(appError.Message)
		return value, exitCodeFor(appError.Code), false
	}
	if json.Unmarshal(raw, &value) != nil || value.AccessToken == "" {
		stderr(unreadable{}.Error())
		return value, exitFailure, false
	}
	return value, exitOk, true
}

// writeOut writes the whole output in one call; a closed pipe is a failure.
func writeOut(output []byte) int {
	if _, err := os.Stdout.Write(output); err != nil {
		return exitFailure
	}
	return exitOk
}

// runToken asks the app for a token and prints it; returns the exit code.
func runToken(options tokenOptions) int {
	params := tokenParams{Account: options.account, Scopes: options.scopes, Resource: options.resource, MinValidSeconds: options.minValidSeconds, ForceRefresh: options.forceRefresh, WithIDToken: options.idToken, Interactive: options.interactive}
	value, exit, ok := askToken(params, "cli", options.program)
	if !ok {
		return exit
	}
	return writeOut(formatToken(options, value))
}

// formatToken is the output of --format raw, header, json or env.
func formatToken(options tokenOptions, value tokenValue) []byte {
	switch options.format {
	case "header":
		tokenType := value.TokenType
		if tokenType == "" {
			tokenType = "Bearer"
		}
		return []byte("Authorization: " + tokenType + " " + value.AccessToken + "\n")
	case "json":
		scopes := value.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		expiresAt := time.UnixMilli(int64(value.ExpiresOn * 1000)).UTC().Format("2006-01-02T15:04:05.000Z")
		return encodeJSON(tokenJSON{AccessToken: value.AccessToken, TokenType: value.TokenType, ExpiresOn: value.ExpiresOn, ExpiresAt: expiresAt, Scopes: scopes, Account: value.Account.Username, AccountID: value.Account.ID, Profile: value.Account.ProfileName, IDToken: value.IDToken})
	case "env":
		// The same shape as oidc-token --env: eval "$(tessera token --format env)".
		name := options.envName
		expiresOn := strconv.FormatFloat(value.ExpiresOn, 'f', -1, 64)
		return []byte(name + "=" + value.AccessToken + "; export " + name + ";\n" + name + "_EXPIRES_ON=" + expiresOn + "; export " + name + "_EXPIRES_ON;\n")
	}
	if options.idToken && value.IDToken != "" {
		return []byte(value.IDToken + "\n")
	}
	return []byte(value.AccessToken + "\n")
}
