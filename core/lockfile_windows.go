//go:build windows

package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// noFollow is nothing on Windows, which has no O_NOFOLLOW: paths are
// checked with Lstat instead.
const noFollow = 0

// openLockFile opens path as mode says. Windows has no O_NOFOLLOW: a
// link or a reparse point at path is refused before the open, and
// sameAsPath checks again after the lock.
func (d *folder) openLockFile(path string, mode openMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("lock file %s is not a regular file (a link, a directory or a device); remove it", path)
	}
	flags := os.O_RDONLY
	switch mode {
	case forTry:
		flags |= os.O_CREATE
	case forWrite:
		flags = os.O_WRONLY
	}
	f, err := os.OpenFile(path, flags, 0o666)
	if mode == forLook && errors.Is(err, fs.ErrNotExist) {
		return nil, err // a free resource's lock file may not exist: nothing to explain
	}
	if err != nil {
		return nil, lockFileError(path, err)
	}
	return f, nil
}

// DefaultLockFolder returns the lock folder used when none is given:
// <temp>\lockable, in the user's own temp dir.
func DefaultLockFolder() string {
	return filepath.Join(os.TempDir(), "lockable")
}

// makeDefaultFolder creates the default lock folder when missing.
func makeDefaultFolder(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("lock folder %s cannot be created: %w", dir, err)
	}
	return nil
}

// checkFolder checks that dir is a directory; Windows folders are not
// shared by mode bits.
func checkFolder(dir string) (shared bool, err error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return false, fmt.Errorf("lock folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("lock folder %s is not a directory", dir)
	}
	return false, nil
}
