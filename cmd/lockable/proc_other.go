//go:build !unix

package main

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// forwardedSignals are the signals lockable catches and passes on to the
// command.
func forwardedSignals() []os.Signal { return []os.Signal{os.Interrupt} }

// fromTerminal tells the signals a console sends to every process
// attached to it.
func fromTerminal(sig os.Signal) bool { return sig == os.Interrupt }

// foreground reports false: without process groups, the command always
// gets the console's signals itself.
func foreground() bool { return false }

// procAttr sets nothing beyond the defaults.
func procAttr(bool) *syscall.SysProcAttr { return nil }

// shellCommand runs line with the command interpreter.
func shellCommand(line string) *exec.Cmd {
	shell := os.Getenv("ComSpec")
	if shell == "" {
		shell = "cmd.exe"
	}
	return exec.Command(shell, "/C", line)
}

// shellSyntax accepts every line: cmd.exe cannot read one without
// running it.
func shellSyntax(string) error { return nil }

// signal sends sig to the command; only a kill is possible.
func (p *child) signal(sig os.Signal) {
	if sig == os.Kill || sig == syscall.SIGTERM {
		_ = p.Kill()
		return
	}
	_ = p.Signal(sig)
}

// exitStatus is the command's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }

// termWidth is 80 columns.
func termWidth(*os.File) int { return 80 }

// endGroup does nothing: without process groups, nothing the command
// left is known.
func (p *child) endGroup(time.Duration) []string { return nil }
