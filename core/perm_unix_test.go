//go:build unix

package core

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An unwritable lock folder is a clear error at once, not a wait. Root
// writes anywhere, so as root the attempt runs in a child process as the
// user nobody.
func TestUnwritableLockFolder(t *testing.T) {
	base := sharedTempDir(t)
	resources := filepath.Join(base, "resources.json")
	require.NoError(t, os.Rename(lab(t, phones(1)...), resources))
	require.NoError(t, os.Chmod(resources, 0o644))
	locks := filepath.Join(base, "locks")
	require.NoError(t, os.Mkdir(locks, 0o755))

	var msg string
	if os.Geteuid() == 0 {
		msg = tryAsNobody(t, base, resources, locks)
	} else {
		require.NoError(t, os.Chmod(locks, 0o555))
		_, err := newLockable(t, resources, locks).Lock(expired(t), q(""))
		require.ErrorIs(t, err, os.ErrPermission)
		msg = err.Error()
	}
	assert.Contains(t, msg, filepath.Join(locks, "phone-0.pid"))
	assert.Contains(t, msg, "permission denied")
	assert.Contains(t, msg, "make the lock folder writable or choose another one")
	entries, err := os.ReadDir(locks)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing was left behind")
}

// sharedTempDir returns a temp dir that other users can read.
func sharedTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "lockable-perm-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}

// tryAsNobody runs one Lock as the user nobody and returns its error.
func tryAsNobody(t *testing.T, base, resources, locks string) string {
	bin := filepath.Join(base, "core.test")
	copyFile(t, os.Args[0], bin, 0o755)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), childRole+"=try", childResources+"="+resources, childLocks+"="+locks)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	p := start(t, cmd)
	msg := p.expect(t, "error")
	require.NoError(t, p.wait(t))
	return msg
}

func copyFile(t *testing.T, from, to string, perm os.FileMode) {
	src, err := os.Open(from)
	require.NoError(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, perm)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}
