package core

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKilledHolderFreesResourceAtOnce(t *testing.T) {
	path, dir := lab(t, phones(1)...), t.TempDir()
	child := startRole(t, "hold", path, dir)
	child.expect(t, "locked phone-0")

	l := newLockable(t, path, dir)
	_, err := l.Lock(expired(t), q(""))
	require.ErrorIs(t, err, ErrTimeout, "held by the child")
	sts, err := statuses(t, l)
	require.NoError(t, err)
	require.Equal(t, Held, sts[0].State)
	assert.Equal(t, child.cmd.Process.Pid, sts[0].Holder.PID)
	assert.Equal(t, "child", sts[0].Holder.Owner)

	require.NoError(t, child.cmd.Process.Signal(syscall.SIGKILL))
	require.Error(t, child.wait(t), "killed")

	content, err := os.ReadFile(filepath.Join(dir, "phone-0.pid"))
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(content), "\n")
	assert.Equal(t, strconv.Itoa(child.cmd.Process.Pid), first, "the dead holder's line stays")
	sts, err = statuses(t, l)
	require.NoError(t, err)
	assert.Equal(t, Free, sts[0].State, "a stale holder line does not make a resource held")

	a, err := l.Lock(expired(t), q(""))
	require.NoError(t, err, "the kernel dropped the dead holder's lock: one try is enough")
	require.NoError(t, a.Unlock())
}

func TestGracefulReleaseWakesWaitingProcess(t *testing.T) {
	path, dir := lab(t, phones(1)...), t.TempDir()
	l := newLockable(t, path, dir)
	held, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)

	waiter := startRole(t, "wait", path, dir, childTimeout+"=60s")
	waiter.send(t, "wait")
	require.NoError(t, held.Unlock())
	waiter.expect(t, "got")
	waiter.send(t, "release")
	waiter.expect(t, "released")
	waiter.stdin.Close()
	require.NoError(t, waiter.wait(t))
}

// TestExclusiveAcrossProcesses runs 8 processes that each take one of 2
// resources 50 times and prove, with a marker file created exclusively,
// that nobody else held it meanwhile.
func TestExclusiveAcrossProcesses(t *testing.T) {
	runStress(t, 8, 0)
}

// TestExclusiveAgainstToolsThatDeleteLockFiles mixes in processes that
// delete a lock file before unlocking it, as other lock tools do: a
// locker that does not check which file it locked would then hold a
// deleted file while another locks the new one.
func TestExclusiveAgainstToolsThatDeleteLockFiles(t *testing.T) {
	runStress(t, 6, 2)
}

func runStress(t *testing.T, lockers, unlinkers int) {
	path, dir, markers := lab(t, phones(2)...), t.TempDir(), t.TempDir()
	env := []string{childMarkers + "=" + markers, childRounds + "=50"}
	var ps []*process
	for range lockers {
		ps = append(ps, startRole(t, "stress", path, dir, env...))
	}
	for range unlinkers {
		ps = append(ps, startRole(t, "unlinker", path, dir, env...))
	}
	for i, p := range ps {
		assert.NoError(t, p.wait(t), "process %d (see its output above for VIOLATION)", i)
	}
	left, err := os.ReadDir(markers)
	require.NoError(t, err)
	assert.Empty(t, left, "every holder released its marker")
}
