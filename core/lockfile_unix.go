//go:build unix

package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// noFollow opens a lock file without following a link in its last
// component, and without blocking should someone have put a FIFO there.
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// openLockFile opens path as mode says, never through a symbolic link,
// and checks what it opened by its descriptor: a regular file with one
// name, owned by a user this folder trusts.
func (d *folder) openLockFile(path string, mode openMode) (*os.File, error) {
	flags := os.O_RDONLY | noFollow
	switch mode {
	case forTry:
		flags |= os.O_CREATE
	case forWrite:
		flags = os.O_WRONLY | noFollow
	}
	f, err := os.OpenFile(path, flags, 0o666)
	if mode == forLook && errors.Is(err, fs.ErrNotExist) {
		return nil, err // a free resource's lock file may not exist: nothing to explain
	}
	if err != nil {
		return nil, d.openError(path, err)
	}
	if err := d.checkOpened(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openError explains why a lock file could not be opened.
func (d *folder) openError(path string, err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("lock file %s is a symbolic link: lockable never follows links in a lock folder, since a link planted there could make it write into another file; remove the link (and find out who made it)", path)
	}
	return lockFileError(path, err)
}

// checkOpened checks the file f opened at path, by its descriptor.
func (d *folder) checkOpened(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("lock file %s: %w", path, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch {
	case st.Nlink == 0:
		return errGone // removed since the open: try again
	case !fi.Mode().IsRegular():
		return fmt.Errorf("lock file %s is not a regular file but %s; remove it", path, kindOf(fi.Mode()))
	case uint64(st.Nlink) != 1:
		return fmt.Errorf("lock file %s has %d names (hard links): one of them may be a file elsewhere that lockable must not write into; remove it", path, st.Nlink)
	case d.shared && st.Uid != uint32(os.Geteuid()) && st.Uid != 0:
		return fmt.Errorf("lock file %s belongs to %s: in a lock folder that every user can write to, another user's lock file can be removed or replaced by them at any time, so it cannot keep a lock; use a lock folder of your own, or one that only the lab's users can write to (see --lock-folder)", path, userOf(st.Uid))
	}
	return nil
}

// userOf names a uid: "alice (uid 1001)", or "uid 1001".
func userOf(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username + " (uid " + id + ")"
	}
	return "uid " + id
}
