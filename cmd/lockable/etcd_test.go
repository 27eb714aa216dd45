//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-lockable/lockable/internal/etcdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envEtcdEndpoints names the etcd server of the tests that need one;
// .ci/run starts it and sets the variable.
const envEtcdEndpoints = "LOCKABLE_ETCD_ENDPOINTS"

// etcdEndpoints returns the test server's address, or skips the test
// when none is configured.
func etcdEndpoints(t *testing.T) string {
	t.Helper()
	eps := os.Getenv(envEtcdEndpoints)
	if eps == "" {
		t.Skip(envEtcdEndpoints + " is not set: .ci/run starts etcd and sets it")
	}
	return eps
}

// etcdPrefix is a key prefix of its own for one test or script, so that
// tests never see each other's locks.
func etcdPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "/lockabletest/" + hex.EncodeToString(b[:])
}

// etcdClient is a client of the first of eps, through etcd's v3 JSON
// API; the test deletes the keys under prefix when it ends.
func etcdClient(t *testing.T, eps, prefix string) *etcdtest.Client {
	t.Helper()
	cli := etcdtest.New(strings.Split(eps, ",")[0])
	t.Cleanup(func() { _ = cli.DeletePrefix(context.Background(), prefix+"/") })
	return cli
}

// startLockable starts the lockable binary (as the scripts run it) in
// dir with args. It returns the process, and a function that waits for
// it, bounded, and returns its exit status and stderr. The test kills it
// should it still run at the end.
func startLockable(t *testing.T, dir string, args ...string) (*exec.Cmd, func() (int, string)) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("lockable", args...)
	cmd.Dir, cmd.Stderr = dir, &stderr
	cmd.Env = append(os.Environ(), "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	return cmd, func() (int, string) {
		select {
		case <-done:
		case <-time.After(helperBound):
			t.Fatalf("lockable still runs after %s; stderr: %s", helperBound, stderr.String())
		}
		return cmd.ProcessState.ExitCode(), stderr.String()
	}
}

// TestLostLockStopsTheCommand revokes, from outside, the lease of one of
// the two resources that lockable holds for a command: lockable tells,
// stops the command, releases the other resource and exits 122.
func TestLostLockStopsTheCommand(t *testing.T) {
	eps := etcdEndpoints(t)
	prefix := etcdPrefix()
	cli := etcdClient(t, eps, prefix)
	dir := t.TempDir()
	_, wait := startLockable(t, dir,
		"--backend", "etcd://"+eps+prefix+"?ttl=2s", "--resources", writeList(t, lab(2)...), "--hostname", "lab-1",
		"--count", "2", "--kill-after", "5s", "--",
		"echo $$ > child.pid.tmp && mv child.pid.tmp child.pid && exec sleep 60")
	require.NoError(t, waitFile(filepath.Join(dir, "child.pid"), "", helperBound))
	pid := pidIn(t, filepath.Join(dir, "child.pid"))

	revokeLease(t, cli, prefix+"/res/dev-1")
	code, stderr := wait()

	assert.Equal(t, exitLost, code)
	assert.Equal(t, "lockable: lost the lock on dev-1: its lease expired, so another holder may have it now; stopping the command (SIGTERM, then SIGKILL after --kill-after 5s)\n", stderr,
		"one line, and no second one for the release of the lost lock")
	assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "the command is gone")
	_, left, err := cli.Range(t.Context(), prefix+"/res/", etcdtest.RangeEnd(prefix+"/res/"))
	require.NoError(t, err)
	assert.Zero(t, left, "the lock lockable still had, on dev-0, was released")
}

// TestFrozenLockableExitsLost freezes lockable (SIGSTOP) until etcd has
// let its lease expire, ends the command meanwhile, and continues
// lockable: it learns that it lost the lock, tells on one line and exits
// 122, not with the command's status.
func TestFrozenLockableExitsLost(t *testing.T) {
	eps := etcdEndpoints(t)
	prefix := etcdPrefix()
	cli := etcdClient(t, eps, prefix)
	dir := t.TempDir()
	cmd, wait := startLockable(t, dir,
		"--backend", "etcd://"+eps+prefix+"?ttl=1s", "--resources", writeList(t, lab(1)...), "--hostname", "lab-1", "--",
		"echo $$ > child.pid.tmp && mv child.pid.tmp child.pid && exec sleep 60")
	require.NoError(t, waitFile(filepath.Join(dir, "child.pid"), "", helperBound))
	pid := pidIn(t, filepath.Join(dir, "child.pid"))

	require.NoError(t, cmd.Process.Signal(syscall.SIGSTOP))
	require.NoError(t, poll(helperBound, func() error {
		_, n, err := cli.Range(t.Context(), prefix+"/res/dev-0", nil)
		if err == nil && n > 0 {
			err = errors.New("the lock key is still there")
		}
		return err
	}), "etcd let the frozen holder's lease expire")
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL)) // the command ends, exit 137
	require.NoError(t, cmd.Process.Signal(syscall.SIGCONT))
	code, stderr := wait()

	assert.Equal(t, exitLost, code)
	assert.Regexp(t, `^lockable: lost the lock on dev-0[ :].*another holder may have (it now|had it)[^\n]*\n$`, stderr,
		"one line, whether lockable saw the loss before or after the command's end")
}

// revokeLease revokes the lease of the lock key, as etcd does when a
// holder stops renewing it.
func revokeLease(t *testing.T, cli *etcdtest.Client, key string) {
	t.Helper()
	kv := cli.Get(t, key)
	require.NotNil(t, kv, "%s is not held", key)
	cli.Revoke(t, kv.Lease)
}

func pidIn(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	return pid
}
