//go:build unix

package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// DefaultLockFolder returns the lock folder used when none is given: a
// folder of the user's own in the OS temp dir, <temp>/lockable-<uid>,
// which New creates with mode 0700. Another user cannot plant a lock file
// or a link in it. Jobs of several users that share a lab on one host,
// or jobs of the Python lockable, must be given one folder explicitly
// (WithLockFolder): the README's "Lock folders" says which.
func DefaultLockFolder() string {
	return filepath.Join(os.TempDir(), "lockable-"+strconv.Itoa(os.Geteuid()))
}

// makeDefaultFolder creates the default lock folder when missing and
// checks that it is the user's own: a directory, not a link, owned by the
// user, that nobody else can write to. Someone who made it first could
// otherwise watch or break the user's locks.
func makeDefaultFolder(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("lock folder %s cannot be created: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("lock folder %s: %w", dir, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("the default lock folder %s is not a directory but %s: someone else may have put it there; remove it, or choose a lock folder (--lock-folder, LOCKABLE_LOCK_FOLDER)", dir, kindOf(fi.Mode()))
	case st.Uid != uint32(os.Geteuid()):
		return fmt.Errorf("the default lock folder %s belongs to %s, not to you: another user may have made it to watch or break your locks; remove it (as its owner or root), or choose a lock folder (--lock-folder, LOCKABLE_LOCK_FOLDER)", dir, userOf(st.Uid))
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("the default lock folder %s can be written by other users (mode %s); make it yours alone with chmod 700 %s", dir, fi.Mode().Perm(), dir)
	}
	return nil
}

// checkFolder checks a lock folder's permissions. A folder that every
// user can write to without the sticky bit lets anyone delete or replace
// any lock file, so no lock there is exclusive: it is refused. With the
// sticky bit (as /tmp has), only a file's owner can remove it; such a
// folder is shared, and lock files in it must belong to the user (or
// root).
func checkFolder(dir string) (shared bool, err error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return false, fmt.Errorf("lock folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("lock folder %s is not a directory", dir)
	}
	mode := fi.Mode()
	everyone := mode.Perm()&0o002 != 0
	if everyone && mode&fs.ModeSticky == 0 {
		return false, fmt.Errorf("lock folder %s can be written by every user and has no sticky bit (mode %s): anyone could delete or replace its lock files, so its locks would not be exclusive; run chmod +t %s (as /tmp has), or choose another folder", dir, mode.Perm(), dir)
	}
	return everyone, nil
}
