//go:build !windows

package main

import (
	"syscall"
	"unicode/utf16"
)

// callerReport is what the command reports about its caller (cli/caller.ts; the app's
// bridgeCallerSchema). Field order is the Node client's, so both send the same line.
type callerReport struct {
	Program         string `json:"program"`
	Command         string `json:"command,omitempty"`
	Pid             int    `json:"pid,omitempty"`
	ParentProgram   string `json:"parentProgram,omitempty"`
	Tty             string `json:"tty,omitempty"`
	TerminalSession string `json:"terminalSession,omitempty"`
	Cwd             string `json:"cwd,omitempty"`
	Integration     string `json:"integration"`
}

// clean replaces control characters and keeps at most max UTF-16 units (the app's limits count
// them, as JavaScript strings do).
func clean(text string, max int) string {
	cleaned := replaceControls(text)
	units := utf16.Encode([]rune(cleaned))
	if len(units) <= max {
		return cleaned
	}
	return string(utf16.Decode(units[:max]))
}

// workingFolder is the kernel's view of the working folder (getcwd), as Node's process.cwd() —
// not $PWD, which a shell keeps with the links it was reached through.
func workingFolder() string {
	cwd, err := syscall.Getwd()
	if err != nil {
		return ""
	}
	return clean(cwd, 1024)
}
