package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// lockSuffix ends every lock file's name, as in the Python lockable.
const lockSuffix = ".pid"

// errGone: the lock file opened was removed before it could be checked.
var errGone = errors.New("lock file removed while it was opened")

// maxReplaced bounds how often a lock file may be replaced under us
// between open and lock before tryLock gives up.
const maxReplaced = 16

// folder is the lock folder backend: resource id is held by whoever holds
// an exclusive OS file lock on <dir>/<id>.pid.
type folder struct {
	dir    string
	shared bool // every user may write to dir (it has the sticky bit)
	notify *notifier
}

// openFolder prepares dir as a lock folder, creating it when missing. The
// empty dir is the default folder, which must be the user's own.
func openFolder(dir string, log *slog.Logger) (*folder, error) {
	if dir == "" {
		dir = DefaultLockFolder()
		if err := makeDefaultFolder(dir); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lock folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return nil, fmt.Errorf("lock folder %s cannot be created: %w", abs, err)
	}
	shared, err := checkFolder(abs)
	if err != nil {
		return nil, err
	}
	return &folder{dir: abs, shared: shared, notify: newNotifier(abs, log)}, nil
}

// lockPath returns the lock file of resource id. Ids that would name a
// file outside the folder are refused; the provider refuses them earlier.
func (d *folder) lockPath(id string) (string, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\\x00") {
		return "", fmt.Errorf("%w: %q cannot be a lock file name", ErrInvalidID, id)
	}
	return filepath.Join(d.dir, id+lockSuffix), nil
}

// TryLock takes resource id without waiting and writes desc into its
// lock file after the pid line; nil, nil when another holds it.
func (d *folder) TryLock(_ context.Context, id string, desc []byte) (lockbackend.Lock, error) {
	path, err := d.lockPath(id)
	if err != nil {
		return nil, err
	}
	for range maxReplaced {
		f, err := d.lockFile(path)
		if errors.Is(err, errGone) {
			continue
		}
		if err != nil || f == nil {
			return nil, err
		}
		same, err := sameAsPath(f, path)
		if err == nil && same {
			if releasing(f) {
				f.Close()
				return nil, nil // the Python holder is about to delete it
			}
			return d.hold(f, desc)
		}
		f.Close() // drops the lock on a file no longer at path
		if err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("lock file %s: replaced %d times while locking it; is another tool deleting lock files?", path, maxReplaced)
}

// lockFile opens path and locks it; nil, nil when it is held elsewhere.
func (d *folder) lockFile(path string) (*os.File, error) {
	f, err := d.openLockFile(path, true)
	if err != nil {
		return nil, err
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

func lockFileError(path string, err error) error {
	var hint string
	switch {
	case errors.Is(err, fs.ErrPermission):
		hint = "; make the lock folder writable or choose another one (in a folder that several users share, every lock file must be writable by all of them: a shared group and umask 002)"
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

// releasing reports whether the locked file f was written by a holder
// that does not describe itself (the Python lockable writes only its pid)
// and whose process still lives. The Python lockable unlocks its file,
// then deletes it: a file taken between the two would be deleted under
// its new holder, and a third could create another and hold the resource
// too. The Python lockable itself counts such a file as busy (a live pid
// in it), and so does lockable, until it is gone.
func releasing(f *os.File) bool {
	buf := make([]byte, 64)
	n, _ := f.ReadAt(buf, 0)
	pid, desc := splitPIDLine(buf[:n])
	return pid > 0 && len(desc) == 0 && pid != os.Getpid() && processAlive(pid)
}

// hold writes the holder's pid and desc into the locked file f and
// returns the held lock.
func (d *folder) hold(f *os.File, desc []byte) (lockbackend.Lock, error) {
	if err := writeAll(f, fmt.Appendf(nil, "%d\n%s\n", os.Getpid(), desc)); err != nil {
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

// Lookup tells, for each id, whether it is held and what its lock file
// says about the holder.
func (d *folder) Lookup(_ context.Context, ids []string) ([]lockbackend.Entry, error) {
	out := make([]lockbackend.Entry, len(ids))
	for i, id := range ids {
		e, err := d.lookup(id)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (d *folder) lookup(id string) (lockbackend.Entry, error) {
	path, err := d.lockPath(id)
	if err != nil {
		return lockbackend.Entry{}, err
	}
	f, err := d.openLockFile(path, false)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errGone) {
		return lockbackend.Entry{}, nil
	}
	if err != nil {
		return lockbackend.Entry{}, err
	}
	defer f.Close()
	return readEntry(f)
}

func readEntry(f *os.File) (lockbackend.Entry, error) {
	held, err := probeFlock(f)
	if err != nil || !held {
		return lockbackend.Entry{}, err
	}
	content, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return lockbackend.Entry{Held: true}, fmt.Errorf("cannot read lock file %s: %w", f.Name(), err)
	}
	e := lockbackend.Entry{Held: true}
	e.PID, e.Desc = splitPIDLine(content)
	return e, nil
}

// Changed returns a channel closed at the next release seen.
func (d *folder) Changed() <-chan struct{} { return d.notify.Changed() }

// Watch watches the folder for releases by other processes until stop.
func (d *folder) Watch(ctx context.Context) (stop func()) { return d.notify.watch(ctx) }

// Polls is true: a crashed holder's lock goes without an event.
func (d *folder) Polls() bool { return true }

// Close stops the folder's watcher, if it runs, and waits for it. The
// folder keeps no connection; held locks stay held.
func (d *folder) Close() error {
	d.notify.close()
	return nil
}

// fileLock is one held lock file.
type fileLock struct {
	f      *os.File
	notify *notifier
}

func (l *fileLock) Release(context.Context) error {
	err := release(l.f)
	l.notify.Signal()
	return err
}

// File is the locked file, for a child process to inherit.
func (l *fileLock) File() *os.File { return l.f }

// Token is 0: a lock folder keeps no counter (see Allocation.FencingToken).
func (l *fileLock) Token() int64 { return 0 }

// Lost is nil: the kernel drops a file lock only when its process ends.
func (l *fileLock) Lost() <-chan struct{} { return nil }

// Err is nil: a file lock is never lost while its process lives.
func (l *fileLock) Err() error { return nil }
