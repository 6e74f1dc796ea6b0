//go:build !linux && !windows

package main

// describeCaller without /proc: only the terminal and the folder are known.
func describeCaller(integration string, programOverride string) callerReport {
	return fallbackCaller(integration, programOverride)
}
