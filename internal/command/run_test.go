//go:build unix

package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-lockable/lockable/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// With runnerRole set, the test binary is a process that runs the
// command in runnerLine, as lockable runs a health check, until it is
// killed.
const (
	runnerRole = "LOCKABLE_COMMAND_TEST_RUNNER"
	runnerLine = "LOCKABLE_COMMAND_TEST_LINE"
)

// bound bounds every wait of these tests.
const bound = 20 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(runnerRole) != "" {
		err := Command{Line: os.Getenv(runnerLine), Env: os.Environ()}.Run(context.Background())
		fmt.Println("ended:", err)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func run(t *testing.T, line string, timeout time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	return Command{Line: line, Env: append(os.Environ(), "DIR="+t.TempDir()), Grace: 100 * time.Millisecond}.Run(ctx)
}

func TestRunTellsTheStatusAndTheLastLines(t *testing.T) {
	require.NoError(t, run(t, "true", bound))

	err := run(t, `echo out; echo err >&2; exit 3`, bound)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 3, e.Status)
	assert.Equal(t, "out\nerr", e.Output, "stdout and stderr, in order")
	assert.EqualError(t, err, "exit status 3: out\nerr")

	err = run(t, `i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done; exit 1`, bound)
	require.ErrorAs(t, err, &e)
	lines := strings.Split(e.Output, "\n")
	assert.Len(t, lines, tailLines)
	assert.Equal(t, "line 99", lines[len(lines)-1])

	err = run(t, `kill -s KILL $$`, bound)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "KILL", e.Signal)
	assert.EqualError(t, err, "killed by signal KILL")
}

func TestOutputKeptIsBounded(t *testing.T) {
	err := run(t, `head -c 100000 /dev/zero | tr '\0' x; exit 1`, bound)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Len(t, e.Output, tailBytes)
}

func TestOutputKeptHasNoSecrets(t *testing.T) {
	ctx := t.Context()
	err := Command{Line: `echo "token hunter22 denied"; exit 1`, Secrets: redact.New("hunter22")}.Run(ctx)
	require.Error(t, err)
	assert.Equal(t, "exit status 1: token "+redact.Mask+" denied", err.Error())
}

// At its bound the command's whole process group is stopped: SIGTERM,
// then SIGKILL after the grace for what ignores SIGTERM.
func TestBoundStopsTheWholeGroup(t *testing.T) {
	for name, line := range map[string]string{
		"ends at SIGTERM":   `sleep 60 & echo $! >"$DIR/child"; echo $$ >"$DIR/shell"; wait`,
		"ignores SIGTERM":   `trap '' TERM; sleep 60 & echo $! >"$DIR/child"; echo $$ >"$DIR/shell"; wait; wait`,
		"prints and sleeps": `echo started; sleep 60 & echo $! >"$DIR/child"; echo $$ >"$DIR/shell"; wait`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			err := Command{Line: line, Env: append(os.Environ(), "DIR="+dir), Grace: 100 * time.Millisecond}.Run(ctx)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.True(t, e.Stopped)
			assert.Contains(t, err.Error(), "stopped its process group (SIGTERM, then SIGKILL after 100ms)")
			gone(t, filepath.Join(dir, "shell"))
			gone(t, filepath.Join(dir, "child"))
		})
	}
}

// What a command leaves running in its group when it ends is killed.
func TestLeftoversAreKilled(t *testing.T) {
	dir := t.TempDir()
	err := Command{Line: `sleep 60 & echo $! >"$DIR/child"`, Env: append(os.Environ(), "DIR="+dir)}.Run(t.Context())
	require.NoError(t, err)
	gone(t, filepath.Join(dir, "child"))
}

// When the process that runs the command dies (kill -9), the watchdog
// kills the command's group: the shell and its children.
func TestCommandDiesWithItsRunner(t *testing.T) {
	dir := t.TempDir()
	line := `sleep 60 & echo $! >"$DIR/child.tmp"; echo $$ >"$DIR/shell"; mv "$DIR/child.tmp" "$DIR/child"; wait`
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runnerRole+"=1", runnerLine+"="+line, "DIR="+dir, "GORACE=atexit_sleep_ms=0")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitFor(t, filepath.Join(dir, "child"))
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	gone(t, filepath.Join(dir, "shell"))
	gone(t, filepath.Join(dir, "child"))
}

func TestCancelStopsTheCommand(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Command{Line: `echo $$ >"$DIR/shell.tmp"; mv "$DIR/shell.tmp" "$DIR/shell"; sleep 60`, Env: append(os.Environ(), "DIR="+dir)}.Run(ctx)
	}()
	waitFor(t, filepath.Join(dir, "shell"))
	cancel()
	select {
	case err := <-done:
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.True(t, e.Stopped)
	case <-time.After(bound):
		t.Fatal("the command was not stopped")
	}
	gone(t, filepath.Join(dir, "shell"))
}

// waitFor waits until path exists.
func waitFor(t *testing.T, path string) {
	t.Helper()
	require.Eventually(t, func() bool { _, err := os.Stat(path); return err == nil }, bound, 5*time.Millisecond, "%s never appeared", path)
}

// gone waits until the process whose pid file holds has ended (or is a
// zombie, which a test process may not reap).
func gone(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		err := syscall.Kill(pid, 0)
		return errors.Is(err, syscall.ESRCH) || zombie(pid)
	}, bound, 5*time.Millisecond, "process %d (%s) still runs", pid, filepath.Base(pidFile))
}

// zombie reports whether pid has ended and waits to be reaped.
func zombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && strings.HasPrefix(s[i+1:], " Z")
}
