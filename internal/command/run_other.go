//go:build !unix

package command

import (
	"os"
	"os/exec"
	"time"
)

// shell runs line with the command interpreter.
func shell(line string) *exec.Cmd {
	interp := os.Getenv("ComSpec")
	if interp == "" {
		interp = "cmd.exe"
	}
	return exec.Command(interp, "/C", line)
}

// group is a started command. Without process groups, only the command
// itself is stopped.
type group struct {
	p *os.Process
}

func start(cmd *exec.Cmd) (*group, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &group{p: cmd.Process}, nil
}

// stop kills the command: there is no gentler signal.
func (g *group) stop(exited <-chan struct{}, _ time.Duration) {
	_ = g.p.Kill()
	<-exited
}

// end does nothing: what the command left is not known.
func (g *group) end() {}

// signalName is "": no signals end a command here.
func signalName(*os.ProcessState) string { return "" }
