//go:build windows

package core

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// readRecord reads the record at path, nil when there is none. Windows
// has no O_NOFOLLOW: a link or a reparse point is refused before the
// open.
func (d *folder) readRecord(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("cannot read maintenance record %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("maintenance record %s is not a regular file (a link, a directory or a device); remove it", path)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read maintenance record %s: %w", path, err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxRecord+1))
}

// fileOwner is "": a Windows folder has no sticky bit.
func fileOwner(string) string { return "" }

// syncDir does nothing: Windows cannot sync a directory.
func syncDir(string) error { return nil }
