//go:build unix

package core

import (
	"fmt"
	"github.com/go-lockable/lockable/query"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// victim is a file of the user's own outside the lock folder, which a
// planted link or hard link points at.
func victim(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "precious.txt")
	require.NoError(t, os.WriteFile(path, []byte("do not truncate me\n"), 0o644))
	return path
}

func assertUntouched(t *testing.T, path string) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "do not truncate me\n", string(got), "the file behind the link is untouched")
}

func TestSymlinkedLockFileIsRefused(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	target := victim(t)
	link := filepath.Join(dir, "phone-0.pid")
	require.NoError(t, os.Symlink(target, link))

	_, err := l.Lock(expired(t), q(""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lock file "+link+" is a symbolic link")
	assert.Contains(t, err.Error(), "remove the link")
	assertUntouched(t, target)

	_, err = l.Status(t.Context(), nil)
	require.Error(t, err, "status does not read through the link either")
	assert.Contains(t, err.Error(), link)
	assertUntouched(t, target)
}

func TestDanglingLinkCreatesNothing(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	target := filepath.Join(t.TempDir(), "created-outside")
	require.NoError(t, os.Symlink(target, filepath.Join(dir, "phone-0.pid")))

	_, err := l.Lock(expired(t), q(""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a symbolic link")
	assert.NoFileExists(t, target, "no file was created through the link")
}

func TestHardLinkedLockFileIsRefused(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	target := filepath.Join(dir, "precious.txt") // same file system
	require.NoError(t, os.WriteFile(target, []byte("do not truncate me\n"), 0o644))
	require.NoError(t, os.Link(target, filepath.Join(dir, "phone-0.pid")))

	_, err := l.Lock(expired(t), q(""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has 2 names (hard links)")
	assertUntouched(t, target)
}

func TestFIFOInPlaceOfALockFileDoesNotHang(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "phone-0.pid"), 0o644))

	_, err := l.Lock(expired(t), q(""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a regular file but a named pipe")
}

// A link put in place of the file after it was locked is not the file
// that was locked.
func TestLinkReplacingTheLockedFileIsNotTheSame(t *testing.T) {
	d, err := openFolder(t.TempDir(), nil)
	require.NoError(t, err)
	path := filepath.Join(d.dir, "r.pid")
	f, err := d.lockFile(path)
	require.NoError(t, err)
	defer f.Close()
	moved := filepath.Join(d.dir, "moved")
	require.NoError(t, os.Rename(path, moved))
	require.NoError(t, os.Symlink(moved, path))

	same, err := sameAsPath(f, path)
	require.NoError(t, err)
	assert.False(t, same, "a link to the locked file is not the lock file")
}

func TestWorldWritableFolderWithoutStickyBitIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.Chmod(dir, 0o777))

	_, err := New(t.Context(), stubSource{}, WithLockFolder(dir))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "can be written by every user and has no sticky bit")
	assert.Contains(t, err.Error(), "chmod +t "+dir)

	require.NoError(t, os.Chmod(dir, 0o777|os.ModeSticky))
	_, err = New(t.Context(), stubSource{}, WithLockFolder(dir))
	require.NoError(t, err, "with the sticky bit, as /tmp has, it is a shared folder")
}

func TestDefaultFolderIsTheUsersOwn(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	want := filepath.Join(tmp, "lockable-"+strconv.Itoa(os.Geteuid()))
	require.Equal(t, want, DefaultLockFolder())

	l, err := New(t.Context(), provider0(t), WithHostname(testHost))
	require.NoError(t, err)
	a, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)
	require.NoError(t, a.Unlock())
	fi, err := os.Lstat(want)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "nobody else can plant anything in it")
	assert.FileExists(t, filepath.Join(want, "phone-0.pid"))
}

func TestPlantedDefaultFolderIsRefused(t *testing.T) {
	t.Run("a link", func(t *testing.T) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		require.NoError(t, os.Symlink(t.TempDir(), DefaultLockFolder()))
		_, err := New(t.Context(), stubSource{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the default lock folder "+DefaultLockFolder()+" is not a directory but a L")
	})
	t.Run("writable by others", func(t *testing.T) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		require.NoError(t, os.Mkdir(DefaultLockFolder(), 0o700))
		require.NoError(t, os.Chmod(DefaultLockFolder(), 0o777))
		_, err := New(t.Context(), stubSource{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "can be written by other users")
	})
	t.Run("another user's", func(t *testing.T) {
		other := otherUser(t)
		tmp := sharedTempDir(t) // a /tmp of its own: everyone may write, sticky
		require.NoError(t, os.Chmod(tmp, 0o777|os.ModeSticky))
		t.Setenv("TMPDIR", tmp)
		other.run(t, "mkdir", "-m", "700", DefaultLockFolder())
		_, err := New(t.Context(), stubSource{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "belongs to "+other.name)
		assert.Contains(t, err.Error(), "not to you")
	})
}

// In a shared folder (world-writable with the sticky bit, as /tmp),
// another user plants a link to one of our files, and a lock file of
// their own: lockable writes into neither.
func TestAnotherUsersPlantsInASharedFolder(t *testing.T) {
	other := otherUser(t)
	shared := filepath.Join(sharedTempDir(t), "shared")
	require.NoError(t, os.Mkdir(shared, 0o755))
	require.NoError(t, os.Chmod(shared, 0o777|os.ModeSticky))
	target := filepath.Join(sharedTempDir(t), "precious.txt")
	require.NoError(t, os.WriteFile(target, []byte("do not truncate me\n"), 0o644))

	other.run(t, "ln", "-s", target, filepath.Join(shared, "phone-0.pid"))
	other.run(t, "sh", "-c", "umask 0; : > "+filepath.Join(shared, "phone-1.pid"))

	l := newLockable(t, lab(t, phones(2)...), shared)
	_, err := l.LockMany(expired(t), []*query.Query{q("")})
	require.Error(t, err)
	assertUntouched(t, target)

	d, err := openFolder(shared, nil)
	require.NoError(t, err)
	_, err = d.TryLock(t.Context(), "phone-1", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "belongs to "+other.name)
	assert.Contains(t, err.Error(), "in a lock folder that every user can write to")
	fi, err := os.Stat(filepath.Join(shared, "phone-1.pid"))
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "nothing was written into the other user's file")
}

// testUser is a second user of the machine, for tests of what one user can
// do to another.
type testUser struct {
	name     string
	uid, gid uint32
}

// otherUser creates a user for the test and deletes it afterwards. It
// needs root, and skips with the reason otherwise.
func otherUser(t *testing.T) testUser {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("acting as a second user needs root (this test creates one): run the tests as root, as CI does")
	}
	useradd, err := exec.LookPath("useradd")
	if err != nil {
		t.Skip("acting as a second user needs useradd to create one")
	}
	name := fmt.Sprintf("lkt%d", os.Getpid()%100000)
	out, err := exec.Command(useradd, "--no-create-home", "--shell", "/bin/sh", name).CombinedOutput()
	require.NoError(t, err, "useradd: %s", out)
	t.Cleanup(func() {
		if out, err := exec.Command("userdel", name).CombinedOutput(); err != nil {
			t.Logf("userdel %s: %v: %s", name, err, out)
		}
	})
	u, err := osuser.Lookup(name)
	require.NoError(t, err)
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	require.NoError(t, err)
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	require.NoError(t, err)
	return testUser{name: name, uid: uint32(uid), gid: uint32(gid)}
}

// provider0 is a list of one local phone.
func provider0(t *testing.T) Source {
	t.Helper()
	return provider.List(phones(1))
}

// run runs a command as u, and fails the test if it fails.
func (u testUser) run(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.uid, Gid: u.gid}}
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v as %s: %s", name, args, u.name, out)
}
