//go:build !windows

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// nodeClientPath is the Node client's launcher: this binary lives at <root>/dist/cli/tessera-native,
// in a checkout and in a packaged app's resources alike, and the launcher at <root>/cli/tessera.cjs
// (main/bridge/command-line-tool.ts has the other direction).
func nodeClientPath() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	return filepath.Join(filepath.Dir(self), "..", "..", "cli", "tessera.cjs"), nil
}

// delegate replaces this process with the Node client for the same arguments (same process id,
// so the caller report and signals stay the caller's). It returns only when that cannot start.
func delegate(args []string) int {
	script, err := nodeClientPath()
	if err == nil {
		_, err = os.Stat(script)
	}
	if err != nil {
		stderr("this command needs its Node client (cli/tessera.cjs), which is missing here. Reinstall Tessera, or run npm install in the checkout.")
		return exitFailure
	}
	node, err := exec.LookPath("node")
	if err != nil {
		stderr("Node.js 20 or later must be on PATH to run this tessera command (tessera token runs without it).")
		return exitFailure
	}
	err = syscall.Exec(node, append([]string{"node", script}, args...), os.Environ())
	stderr("could not start Node.js (" + err.Error() + ").")
	return exitFailure
}
