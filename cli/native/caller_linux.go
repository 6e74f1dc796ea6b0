package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"
)

// procStat is the part of /proc/<pid>/stat the report uses.
type procStat struct {
	comm    string
	ppid    int
	session int
	ttyNr   int
}

// readStat parses /proc/<pid>/stat (the command name may hold spaces and parentheses).
func readStat(pid string) (procStat, bool) {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return procStat{}, false
	}
	text := string(raw)
	open := strings.Index(text, "(")
	close := strings.LastIndex(text, ")")
	if open < 0 || close < open || close+2 > len(text) {
		return procStat{}, false
	}
	fields := strings.Split(text[close+2:], " ")
	if len(fields) < 5 {
		return procStat{}, false
	}
	number := func(i int) int { n, _ := strconv.Atoi(fields[i]); return n }
	return procStat{comm: text[open+1 : close], ppid: number(1), session: number(3), ttyNr: number(4)}, true
}

// readCommand is a process's command line, its words joined by spaces, at most 200 UTF-16 units.
func readCommand(pid int) (string, bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return "", false
	}
	words := []string{}
	for _, word := range strings.Split(strings.ToValidUTF8(string(raw), "\uFFFD"), "\x00") {
		if word != "" {
			words = append(words, word)
		}
	}
	if len(words) == 0 {
		return "", false
	}
	text := strings.Join(words, " ")
	if units := utf16.Encode([]rune(text)); len(units) > 200 {
		return string(utf16.Decode(units[:199])) + "…", true
	}
	return text, true
}

// ttyName is /dev/pts/N for a pseudo-terminal device number (Linux majors 136–143).
func ttyName(ttyNr int) string {
	major := (ttyNr >> 8) & 0xfff
	minor := (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00)
	switch {
	case major >= 136 && major <= 143:
		return "/dev/pts/" + strconv.Itoa((major-136)*256+minor)
	case major == 4:
		return "/dev/tty" + strconv.Itoa(minor)
	}
	return "tty " + strconv.Itoa(major) + ":" + strconv.Itoa(minor)
}

// describeCaller gathers the report from /proc: the program that ran this command, its parent,
// the controlling terminal and session, and the working folder.
func describeCaller(integration string, programOverride string) callerReport {
	report := callerReport{Integration: integration, Cwd: workingFolder()}
	self, ok := readStat("self")
	if !ok {
		return fallbackCaller(integration, programOverride)
	}
	parent, hasParent := readStat(strconv.Itoa(self.ppid))
	command, hasCommand := readCommand(self.ppid)
	program := programOverride
	if program == "" {
		switch {
		case hasCommand:
			if first := strings.Split(command, " ")[0]; first != "" {
				program = filepath.Base(first)
			}
		case hasParent:
			program = parent.comm
		}
	}
	if program == "" && hasParent {
		program = parent.comm
	}
	if program == "" {
		program = "unknown program"
	}
	report.Program = clean(program, 128)
	if hasCommand {
		report.Command = clean(command, 512)
	}
	report.Pid = self.ppid
	if hasParent {
		if grandparent, ok := readStat(strconv.Itoa(parent.ppid)); ok {
			report.ParentProgram = clean(grandparent.comm, 128)
		}
	}
	if self.ttyNr != 0 {
		report.Tty = ttyName(self.ttyNr)
		report.TerminalSession = strconv.Itoa(self.session)
	}
	return report
}
