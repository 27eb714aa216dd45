//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are the signals lockable catches and passes on to the
// command. SIGQUIT is among them so that Ctrl-\ does not kill lockable
// (with a goroutine dump) while the command runs on.
func forwardedSignals() []os.Signal {
	return []os.Signal{unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT}
}

// fromTerminal tells the signals a terminal sends to its whole
// foreground process group: Ctrl-C and Ctrl-\.
func fromTerminal(sig os.Signal) bool {
	return sig == unix.SIGINT || sig == unix.SIGQUIT
}

// foreground reports whether lockable's process group is the foreground
// group of its controlling terminal: then the terminal's Ctrl-C, Ctrl-\
// and Ctrl-Z reach it and every process in its group.
func foreground() bool {
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false // no controlling terminal
	}
	defer tty.Close()
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// procAttr starts the command in a process group of its own, or in
// lockable's, and has it killed should lockable die first (on Linux).
func procAttr(ownGroup bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: ownGroup}
	dieWithParent(attr)
	return attr
}

// shellCommand runs line with /bin/sh -c.
func shellCommand(line string) *exec.Cmd {
	return exec.Command("/bin/sh", "-c", line)
}

// shellSyntax reads line as /bin/sh would without running it (sh -n),
// and returns the shell's complaint when it cannot: a check with a typo
// is refused before any resource is taken.
func shellSyntax(line string) error {
	out, err := exec.Command("/bin/sh", "-n", "-c", line).CombinedOutput()
	if err == nil {
		return nil
	}
	if msg := strings.TrimSpace(string(out)); msg != "" {
		return errors.New(msg)
	}
	return err
}

// signal sends sig to the command's process group when it has its own,
// to the command alone otherwise.
func (p *child) signal(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok && p.ownGroup && unix.Kill(-p.Pid, s) == nil {
		return
	}
	_ = p.Signal(sig) // it may have ended already
}

// exitStatus is the command's exit code, or 128 plus the number of the
// signal that ended it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitSignal + int(ws.Signal())
	}
	return ps.ExitCode()
}

// termWidth is the terminal's width in columns, 80 when unknown.
func termWidth(f *os.File) int {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return 80
	}
	return int(ws.Col)
}
