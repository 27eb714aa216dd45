package core

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// lockSuffix ends every lock file's name, as in the Python lockable.
const lockSuffix = ".pid"

// maxReplaced bounds how often a lock file may be replaced under us
// between open and lock before tryLock gives up.
const maxReplaced = 16

// folder is the lock folder backend: resource id is held by whoever holds
// an exclusive OS file lock on <dir>/<id>.pid.
type folder struct {
	dir    string
	notify *notifier
}

// openFolder prepares dir as a lock folder, creating it when missing.
func openFolder(dir string, log *slog.Logger) (*folder, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lock folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return nil, fmt.Errorf("lock folder %s cannot be created: %w", abs, err)
	}
	return &folder{dir: abs, notify: newNotifier(abs, log)}, nil
}

// lockPath returns the lock file of resource id. Ids that would name a
// file outside the folder are refused; the provider refuses them earlier.
func (d *folder) lockPath(id string) (string, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\\x00") {
		return "", fmt.Errorf("%w: %q cannot be a lock file name", ErrInvalidID, id)
	}
	return filepath.Join(d.dir, id+lockSuffix), nil
}

// tryLock takes resource id for h without waiting; nil, nil when another
// holds it.
func (d *folder) tryLock(id string, h Holder) (lock, error) {
	path, err := d.lockPath(id)
	if err != nil {
		return nil, err
	}
	for range maxReplaced {
		f, err := lockFile(path)
		if err != nil || f == nil {
			return nil, err
		}
		same, err := isLockedPath(f, path)
		if err == nil && same {
			return d.hold(f, h)
		}
		f.Close() // drops the lock on a file no longer at path
		if err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("lock file %s: replaced %d times while locking it; is another tool deleting lock files?", path, maxReplaced)
}

// lockFile opens path and locks it; nil, nil when it is held elsewhere.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, lockFileError(path, err)
	}
	ok, err := tryFlock(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("lock file %s: %w", path, err)
		}
		return nil, nil
	}
	return f, nil
}

// isLockedPath reports whether the file f locked is still the file at
// path: another tool may have removed and recreated it between our open
// and our lock, and a lock on a removed file excludes nobody.
func isLockedPath(f *os.File, path string) (bool, error) {
	locked, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("lock file %s: %w", path, err)
	}
	current, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock file %s: %w", path, err)
	}
	return os.SameFile(locked, current), nil
}

func lockFileError(path string, err error) error {
	var hint string
	switch {
	case errors.Is(err, fs.ErrPermission):
		hint = "; make the lock folder writable or choose another one"
	case isDirError(path):
		hint = "; it is a directory: remove it"
	case errors.Is(err, fs.ErrNotExist):
		hint = "; the lock folder is gone: create it again"
	}
	return fmt.Errorf("cannot open lock file %s: %w%s", path, err, hint)
}

func isDirError(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// hold writes h into the locked file f and returns the held lock.
func (d *folder) hold(f *os.File, h Holder) (lock, error) {
	content, err := h.encode()
	if err == nil {
		err = writeAll(f, content)
	}
	if err != nil {
		err = fmt.Errorf("lock file %s: cannot describe the holder: %w", f.Name(), err)
		return nil, errors.Join(err, release(f))
	}
	return &fileLock{f: f, notify: d.notify}, nil
}

func writeAll(f *os.File, content []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(content, 0)
	return err
}

// release empties the lock file, then unlocks and closes it. The file
// itself stays: deleting it while another may have it open is what makes
// lock files racy.
func release(f *os.File) error {
	errTruncate := f.Truncate(0)
	errUnlock := funlock(f)
	errClose := f.Close()
	return errors.Join(errTruncate, errUnlock, errClose)
}

// holder tells whether id is held, and by whom as far as the lock file
// says (a zero Holder when it says nothing).
func (d *folder) holder(id string) (Holder, bool, error) {
	path, err := d.lockPath(id)
	if err != nil {
		return Holder{}, false, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Holder{}, false, nil
	}
	if err != nil {
		return Holder{}, false, fmt.Errorf("cannot read lock file %s: %w", path, err)
	}
	defer f.Close()
	return readHolder(f)
}

func readHolder(f *os.File) (Holder, bool, error) {
	held, err := probeFlock(f)
	if err != nil || !held {
		return Holder{}, false, err
	}
	content, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return Holder{}, true, fmt.Errorf("cannot read lock file %s: %w", f.Name(), err)
	}
	h, _ := decodeHolder(content)
	return h, true, nil
}

func (d *folder) changed() <-chan struct{} { return d.notify.changed() }

func (d *folder) watch() (stop func()) { return d.notify.watch() }

// fileLock is one held lock file.
type fileLock struct {
	f      *os.File
	notify *notifier
}

func (l *fileLock) release() error {
	err := release(l.f)
	l.notify.signal()
	return err
}
