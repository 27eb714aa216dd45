//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ignoringTERM is a command that ignores SIGTERM, as does the sleep it
// runs, once it has created the file "ready".
const ignoringTERM = "trap '' TERM; : > ready; sleep 60"

// started starts sh -c script in a temp dir, in a process group of its
// own, and returns it as watch sees it and a channel closed when it has
// ended. With ignoringTERM it waits until the trap is set. The test kills
// the group should it still run at the end.
func started(t *testing.T, script string) (*child, *exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := shellCommand(script)
	cmd.Dir = t.TempDir()
	cmd.SysProcAttr = procAttr(true)
	require.NoError(t, cmd.Start())
	p := &child{Process: cmd.Process, ownGroup: true}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		p.signal(os.Kill)
		<-done
	})
	if script == ignoringTERM {
		require.NoError(t, waitFile(filepath.Join(cmd.Dir, "ready"), "", helperBound))
	}
	return p, cmd, done
}

func TestWatchStopsTheCommandWhenALockIsLost(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		want         int
	}{
		{"SIGTERM", "sleep 60", exitSignal + 15},
		{"SIGKILL when SIGTERM is ignored", ignoringTERM, exitSignal + 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := allocate(t, lab(1), "id=dev-0")[0]
			p, cmd, done := started(t, tc.script)
			lost := make(chan *core.Allocation, 1)
			lost <- a
			var told []*core.Allocation
			o := &options{killAfter: 50 * time.Millisecond}
			end := p.watch(done, nil, lost, time.Now(), o, func(a *core.Allocation) { told = append(told, a) })
			assert.Equal(t, tc.want, exitStatus(cmd.ProcessState))
			assert.Equal(t, []*core.Allocation{a}, told, "told once")
			assert.Equal(t, map[*core.Allocation]bool{a: true}, end.lost)
			assert.False(t, end.maxHold)
		})
	}
}

func TestWatchKeepsMaxHoldFirst(t *testing.T) {
	a := allocate(t, lab(1), "id=dev-0")[0]
	// A command that records its SIGTERM and goes on. It waits in the
	// wait builtin, which a trapped signal ends at once: a foreground
	// sleep that the group's SIGTERM reached between fork and exec would
	// run its 60 s, and the trap only after it.
	p, cmd, done := started(t, "trap ': > termed' TERM; : > ready; sleep 60 & wait; sleep 60")
	require.NoError(t, waitFile(filepath.Join(cmd.Dir, "ready"), "", helperBound))
	lost := make(chan *core.Allocation)
	go func() { // the lock is lost during --max-hold's grace
		if waitFile(filepath.Join(cmd.Dir, "termed"), "", helperBound) != nil {
			return
		}
		select {
		case lost <- a:
		case <-done:
		}
	}()
	o := &options{maxHold: time.Millisecond, killAfter: time.Minute}
	tell := func(*core.Allocation) { p.signal(os.Kill) }
	end := p.watch(done, nil, lost, time.Now(), o, tell)
	assert.Equal(t, exitSignal+9, exitStatus(cmd.ProcessState))
	assert.True(t, end.maxHold, "--max-hold stopped it first")
	assert.True(t, end.lost[a], "the loss during the grace is told all the same")
}
