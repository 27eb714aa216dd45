//go:build unix

package core

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// readRecord reads the record at path, nil when there is none. It opens
// it as lock files are opened, never through a link, and checks what it
// opened by its descriptor: a regular file with one name, which in a
// folder every user may write to must belong to the user or root, since
// anyone could have planted it there.
func (d *folder) readRecord(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, syscall.ELOOP):
		return nil, fmt.Errorf("maintenance record %s is a symbolic link: lockable never follows links in a lock folder; remove the link (and find out who made it)", path)
	case err != nil:
		return nil, fmt.Errorf("cannot read maintenance record %s: %w%s", path, err, permissionHint(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("maintenance record %s: %w", path, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch {
	case st.Nlink == 0:
		return nil, nil // removed since the open
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("maintenance record %s is not a regular file but %s; remove it", path, kindOf(fi.Mode()))
	case st.Nlink != 1:
		return nil, fmt.Errorf("maintenance record %s has %d names (hard links); remove it, and end or start the maintenance again", path, st.Nlink)
	case d.shared && st.Uid != uint32(os.Geteuid()) && st.Uid != 0:
		return nil, fmt.Errorf("maintenance record %s belongs to %s: in a lock folder that every user can write to, anyone may have planted it, so it is not trusted; remove it (as its owner or root), and use a lock folder of your own or one that only the lab's users can write to (see --lock-folder)", path, userOf(st.Uid))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRecord+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read maintenance record %s: %w", path, err)
	}
	return data, nil
}

// fileOwner names the owner of path, "" when it cannot be told.
func fileOwner(path string) string {
	fi, err := os.Lstat(path)
	if err != nil {
		return ""
	}
	return userOf(fi.Sys().(*syscall.Stat_t).Uid)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
