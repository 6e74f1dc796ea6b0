//go:build !windows

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lookPath finds a program as a shell does: a name with a slash as it is, else the first
// executable file of that name in a PATH folder. (os/exec would bring its packages' start-up.)
func lookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", errors.New(name + " not found on PATH")
}

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

// invokedAs is the absolute path this command was run as — found on PATH as a shell finds it, not
// resolved through links — which `tessera kubeconfig-user` writes into kubeconfig entries, so that
// kubectl runs the native client through the same stable path (the installed link).
func invokedAs() string {
	path, err := lookPath(os.Args[0])
	if err != nil {
		return ""
	}
	if absolute, err := filepath.Abs(path); err == nil {
		return absolute
	}
	return ""
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
	node, err := lookPath("node")
	if err != nil {
		stderr("Node.js 20 or later must be on PATH to run this tessera command (tessera token runs without it).")
		return exitFailure
	}
	env := os.Environ()
	if invoked := invokedAs(); invoked != "" {
		env = append(env, "TESSERA_INVOKED_AS="+invoked)
	}
	err = syscall.Exec(node, append([]string{"node", script}, args...), env)
	stderr("could not start Node.js (" + err.Error() + ").")
	return exitFailure
}
