//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// socketName is the socket's file name inside its private folder (main/bridge/endpoint.ts).
const socketName = "bridge.sock"

// endpoint is a socket path and its private folder.
type endpoint struct {
	path string
	dir  string
}

// clientEndpoints are the places a client tries, in order: TESSERA_SOCKET, the runtime folder, then
// the default data folders of the desktop app and of browser mode (main/bridge/endpoint.ts).
func clientEndpoints() []endpoint {
	if socket := os.Getenv("TESSERA_SOCKET"); socket != "" {
		return []endpoint{{path: socket, dir: filepath.Dir(socket)}}
	}
	var dirs []string
	if runtimeDir := os.Getenv("XDG_RUNTIME_DIR"); runtimeDir != "" {
		dirs = append(dirs, filepath.Join(runtimeDir, "tessera"))
	} else {
		home := os.Getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if runtime.GOOS == "darwin" {
			support := filepath.Join(home, "Library", "Application Support")
			dirs = append(dirs, filepath.Join(support, "Tessera", "bridge"), filepath.Join(support, "Tessera", "browser-mode", "bridge"))
		} else {
			config := os.Getenv("XDG_CONFIG_HOME")
			if config == "" {
				config = filepath.Join(home, ".config")
			}
			dirs = append(dirs, filepath.Join(config, "Tessera", "bridge"), filepath.Join(config, "tessera", "browser-mode", "bridge"))
		}
	}
	endpoints := make([]endpoint, 0, len(dirs))
	for _, dir := range dirs {
		endpoints = append(endpoints, endpoint{path: filepath.Join(dir, socketName), dir: dir})
	}
	return endpoints
}

// unsafeEndpoint says why a socket or its folder is not trusted; its text is the Node client's.
type unsafeEndpoint struct{ message string }

func (e *unsafeEndpoint) Error() string { return e.message }

// writableByOthers: group- or world-writable.
func writableByOthers(mode uint32) bool { return mode&0o022 != 0 }

// checkPrivateDir: a real folder (not a link), ours, not writable by others.
func checkPrivateDir(dir string, uid int) error {
	var stats syscall.Stat_t
	if err := syscall.Lstat(dir, &stats); err != nil {
		return err
	}
	if stats.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return &unsafeEndpoint{dir + " is not a plain folder; remove it and start Tessera again."}
	}
	if int(stats.Uid) != uid {
		return &unsafeEndpoint{dir + " belongs to another user; refusing to use it. Remove it, or set TESSERA_SOCKET."}
	}
	if writableByOthers(uint32(stats.Mode)) {
		return &unsafeEndpoint{dir + " can be written by other users; refusing to use it. Run: chmod 700 " + dir}
	}
	return nil
}

// checkSocket is checked before connecting: a socket, ours, not writable by others, in a folder
// that passes checkPrivateDir — someone else's server there could collect the tokens.
func checkSocket(at endpoint, uid int) error {
	if err := checkPrivateDir(at.dir, uid); err != nil {
		return err
	}
	var stats syscall.Stat_t
	if err := syscall.Lstat(at.path, &stats); err != nil {
		return err
	}
	if stats.Mode&syscall.S_IFMT != syscall.S_IFSOCK {
		return &unsafeEndpoint{at.path + " is not a socket; refusing to use it. Remove it and start Tessera again."}
	}
	if int(stats.Uid) != uid {
		return &unsafeEndpoint{at.path + " belongs to another user; refusing to use it."}
	}
	if writableByOthers(uint32(stats.Mode)) {
		return &unsafeEndpoint{at.path + " can be written by other users; refusing to use it. Restart Tessera to recreate it."}
	}
	return nil
}
