package core

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Python lockable holds <id>.pid with flock and writes its pid on the
// first line; testdata/pylock.py does the same with the standard library.

func TestPythonHolderExcludesUs(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	py := startPython(t, "hold", filepath.Join(dir, "phone-0.pid"))
	py.expect(t, "locked")

	_, err := l.Lock(expired(t), q(""))
	require.ErrorIs(t, err, ErrTimeout)
	sts, err := statuses(t, l)
	require.NoError(t, err)
	assert.Equal(t, Held, sts[0].State)
	assert.Equal(t, py.cmd.Process.Pid, sts[0].Holder.PID, "read from the Python holder's pid line")

	got := make(chan error, 1)
	go func() {
		a, err := l.Lock(t.Context(), q(""))
		if err == nil {
			err = a.Unlock()
		}
		got <- err
	}()
	py.send(t, "release") // Python unlocks, then deletes the file
	py.expect(t, "released")
	require.NoError(t, <-got, "we get it once Python lets go")
}

func TestWeExcludePython(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	a, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)

	py := startPython(t, "probe", filepath.Join(dir, "phone-0.pid"))
	assert.Equal(t, strconv.Itoa(os.Getpid()), py.expect(t, "busy"), "Python reads our pid on the first line")
	require.NoError(t, py.wait(t))

	require.NoError(t, a.Unlock())
	py = startPython(t, "probe", filepath.Join(dir, "phone-0.pid"))
	py.expect(t, "acquired")
	require.NoError(t, py.wait(t))
}

// TestExclusiveWithPythonHolders mixes Go holders with Python holders that
// release as the pid library does, unlocking, then deleting the file: a
// file taken between the two would be deleted under its new holder. The
// marker files prove that no resource ever had two holders.
func TestExclusiveWithPythonHolders(t *testing.T) {
	path, dir, markers := lab(t, phones(2)...), t.TempDir(), t.TempDir()
	env := []string{childMarkers + "=" + markers, childRounds + "=300"}
	var ps []*process
	for range 6 {
		ps = append(ps, startRole(t, "stress", path, dir, env...))
	}
	for range 2 {
		ps = append(ps, startPython(t, "stress", dir, markers, "300"))
	}
	for i, p := range ps {
		assert.NoError(t, p.wait(t), "process %d (see its output above for VIOLATION)", i)
	}
	left, err := os.ReadDir(markers)
	require.NoError(t, err)
	assert.Empty(t, left, "every holder released its marker")
}
