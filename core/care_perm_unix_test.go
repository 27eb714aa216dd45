//go:build unix

package core

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// In a folder every user may write to (sticky, as /tmp), a record counts
// only when it is the user's own or root's, as lock files do, and only
// its owner or root may end it. As root, the other user is nobody.
func TestMaintenanceInAFolderEveryoneMayWriteTo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("acting as another user needs root")
	}
	base := sharedTempDir(t)
	resources := filepath.Join(base, "resources.json")
	require.NoError(t, os.Rename(lab(t, phones(2)...), resources))
	require.NoError(t, os.Chmod(resources, 0o644))
	locks := filepath.Join(base, "locks")
	require.NoError(t, os.Mkdir(locks, 0o777))
	require.NoError(t, os.Chmod(locks, 0o777|os.ModeSticky))
	l := newLockable(t, resources, locks)

	_, err := l.StartMaintenance(t.Context(), "phone-0", "root's", 0)
	require.NoError(t, err)
	nobody0 := startAsNobody(t, base, resources, locks, "phone-0")
	nobody0.send(t, "end")
	msg := nobody0.expect(t, "error")
	assert.Contains(t, msg, "belongs to root (uid 0)")
	assert.Contains(t, msg, "only its owner or root may replace or remove it")
	assert.Equal(t, InMaintenance, statusOf(t, l, "phone-0").State)

	nobody1 := startAsNobody(t, base, resources, locks, "phone-1")
	nobody1.send(t, "start")
	nobody1.expect(t, "ok")
	_, err = statuses(t, l)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(locks, "phone-1.maintenance")+" belongs to nobody")
	assert.Contains(t, err.Error(), "anyone may have planted it, so it is not trusted")
	nobody1.send(t, "end")
	nobody1.expect(t, "ok")
	assert.Equal(t, Free, statusOf(t, l, "phone-1").State)
}

// startAsNobody starts the role maintain for id as the user nobody.
func startAsNobody(t *testing.T, base, resources, locks, id string) *process {
	t.Helper()
	cmd := nobodyCommand(t, base)
	cmd.Env = append(os.Environ(), childRole+"=care", childCareRole+"=maintain", childID+"="+id,
		childResources+"="+resources, childLocks+"="+locks)
	return start(t, cmd)
}

// nobodyCommand is the test binary, copied where nobody can run it, as
// the user nobody.
func nobodyCommand(t *testing.T, base string) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(base, "core.test")
	if _, err := os.Stat(bin); err != nil {
		copyFile(t, os.Args[0], bin, 0o755)
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}
