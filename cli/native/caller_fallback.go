//go:build !windows

package main

import (
	"os"
	"strconv"
)

// isTerminal reports whether a file is a character device (a terminal, for stdin and stderr).
func isTerminal(file *os.File) bool {
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// fallbackCaller is the report where /proc cannot be read: the terminal is known only as "stdin or
// stderr is one", per parent process.
func fallbackCaller(integration string, programOverride string) callerReport {
	program := programOverride
	if program == "" {
		program = "unknown program"
	}
	report := callerReport{Program: clean(program, 128), Pid: os.Getppid(), Cwd: workingFolder(), Integration: integration}
	if isTerminal(os.Stdin) || isTerminal(os.Stderr) {
		report.Tty = "terminal"
		report.TerminalSession = strconv.Itoa(os.Getppid())
	}
	return report
}
