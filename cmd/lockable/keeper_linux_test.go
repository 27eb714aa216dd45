package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The keeper tells lockable it may release only once nothing of the
// command's is left: here the command leaves a process that ignores
// SIGTERM, which lives until --kill-after's SIGKILL. lockable (this
// test) stays alive throughout, so that only the keeper's own rule can
// end that process before finish returns.
func TestKeeperSaysDoneOnlyOnceNothingIsLeft(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "left.pid")
	cmd := exec.Command("/bin/sh", "-c", `trap "" TERM; sleep 30 & echo $! >"$0"`, pidFile)
	cmd.Env = os.Environ()
	const grace = 300 * time.Millisecond
	start := time.Now()
	r, err := startCommand(cmd, nil, true, grace, nil)
	require.NoError(t, err)
	status, left, err := r.finish()
	took := time.Since(start)
	require.NoError(t, err)
	assert.Zero(t, status)
	require.Len(t, left, 1, "the sleep the command left")

	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) && !zombie(pid) {
		t.Fatalf("finish returned while pid %d, which the command left, still ran", pid)
	}
	assert.GreaterOrEqual(t, took, grace, "it ignored SIGTERM: only SIGKILL, after the grace, ended it")
}
