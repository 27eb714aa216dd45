//go:build !linux

package main

import (
	"io"
	"os"
	"os/exec"
	"time"
)

// keeperSpec is Linux's: elsewhere there is no keeper.
type keeperSpec struct{}

// keeperSpecFrom reports false: only Linux has child subreapers.
func keeperSpecFrom([]string) (keeperSpec, bool) { return keeperSpec{}, false }

// earlyKeeper is Linux's: elsewhere there is no keeper to start early.
type earlyKeeper struct{}

func startEarly([]string, io.Reader, io.Writer, io.Writer, bool) *earlyKeeper { return nil }

func (*earlyKeeper) abandon() {}

// keepCommand is never called where there is no keeper.
func keepCommand(keeperSpec, []string) int { return exitFailure }

// startCommand starts cmd itself. Without child subreapers, what the
// command leaves running is found only in its process group: when the
// command leads one, the group is ended (SIGTERM, then SIGKILL after
// grace) before the resources are released.
func startCommand(cmd *exec.Cmd, _ []*os.File, ownGroup bool, grace time.Duration, _ *earlyKeeper) (*running, error) {
	cmd.SysProcAttr = procAttr(ownGroup)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &child{Process: cmd.Process, ownGroup: ownGroup}
	ended := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is in cmd.ProcessState
		close(ended)
	}()
	finish := func() (int, []string, error) {
		<-ended
		left := p.endGroup(grace)
		return exitStatus(cmd.ProcessState), left, nil
	}
	return &running{child: p, ended: ended, finish: finish}, nil
}

// careWatch reports false: elsewhere a check's leftovers outside its
// process group cannot be found.
func careWatch() bool { return false }

// sweepCare has nothing to sweep where careWatch is false.
func sweepCare(time.Duration) []string { return nil }
