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
	"time"

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
	d := &folder{dir: abs, shared: shared}
	d.notify = newNotifier(d, log)
	return d, nil
}

// lockPath returns the lock file of resource id. Ids that would name a
// file outside the folder are refused; the provider refuses them earlier.
func (d *folder) lockPath(id string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	return filepath.Join(d.dir, id+lockSuffix), nil
}

// checkID refuses an id that would name a file outside the folder.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\\x00") {
		return fmt.Errorf("%w: %q cannot be a lock file name", ErrInvalidID, id)
	}
	return nil
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

// openMode is how a lock file is opened.
type openMode int

const (
	// forLook opens it to read, when it exists.
	forLook openMode = iota
	// forTry opens it to lock, creating it when missing, only to read: a
	// try that fails closes a file it did not open for writing, which
	// wakes no waiter (they watch for files opened for writing being
	// closed).
	forTry
	// forWrite opens it to write the holder's description. The holder
	// keeps it open until it has unlocked, so that its close, or the
	// holder's end, tells waiters the resource is free.
	forWrite
)

// lockFile opens path and locks it; nil, nil when it is held elsewhere.
func (d *folder) lockFile(path string) (*os.File, error) {
	f, err := d.openLockFile(path, forTry)
	if err != nil {
		return nil, err
	}
	ok, err := tryFlock(f)
	// An empty lock file that is locked is being looked at (a shared lock
	// for a moment: status, a waiter's watcher), or was locked a moment
	// ago by a holder that is about to describe itself: try again a few
	// times before counting it held, or a look would cost a waiter its
	// turn.
	for pause := 50 * time.Microsecond; !ok && err == nil && pause <= maxLookPause && isEmpty(f); pause *= 2 {
		time.Sleep(pause)
		ok, err = tryFlock(f)
	}
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("lock file %s: %w", path, err)
		}
		return nil, nil
	}
	return f, nil
}

// maxLookPause bounds the pauses of lockFile's tries of an empty file.
const maxLookPause = 3200 * time.Microsecond

func isEmpty(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Size() == 0
}

// lockFileError explains why the lock file at path could not be opened.
// A missing file is told before the stat that asks for a directory: a
// missing path is none.
func lockFileError(path string, err error) error {
	var hint string
	switch {
	case errors.Is(err, fs.ErrPermission):
		hint = "; make the lock folder writable or choose another one (in a folder that several users share, every lock file must be writable by all of them: a shared group and umask 002)"
	case errors.Is(err, fs.ErrNotExist):
		hint = "; the lock folder is gone: create it again"
	case isDirError(path):
		hint = "; it is a directory: remove it"
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
	pid, desc := splitPIDLine(readHead(f))
	return pid > 0 && len(desc) == 0 && pid != os.Getpid() && processAlive(pid)
}

// readHead reads the start of a lock file: enough for a pid line.
func readHead(f *os.File) []byte {
	buf := make([]byte, 64)
	n, _ := f.ReadAt(buf, 0)
	return buf[:n]
}

// hold writes the holder's pid and desc into the locked file f, through
// a descriptor opened for writing, and returns the held lock.
func (d *folder) hold(f *os.File, desc []byte) (lockbackend.Lock, error) {
	w, err := d.writer(f)
	if err != nil {
		return nil, errors.Join(err, release(f, nil))
	}
	if err := writeAll(w, fmt.Appendf(nil, "%d\n%s\n", os.Getpid(), desc)); err != nil {
		err = fmt.Errorf("lock file %s: cannot describe the holder: %w", f.Name(), err)
		return nil, errors.Join(err, release(f, w))
	}
	return &fileLock{f: f, w: w, notify: d.notify, id: strings.TrimSuffix(filepath.Base(f.Name()), lockSuffix)}, nil
}

// writer opens the lock file f locked for writing, and checks it opened
// the same file.
func (d *folder) writer(f *os.File) (*os.File, error) {
	w, err := d.openLockFile(f.Name(), forWrite)
	if err != nil {
		return nil, err
	}
	locked, err1 := f.Stat()
	opened, err2 := w.Stat()
	if err := errors.Join(err1, err2); err != nil {
		w.Close()
		return nil, fmt.Errorf("lock file %s: %w", f.Name(), err)
	}
	if !os.SameFile(locked, opened) {
		w.Close()
		return nil, fmt.Errorf("lock file %s was replaced while it was being locked; is another tool deleting lock files?", f.Name())
	}
	return w, nil
}

func writeAll(f *os.File, content []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(content, 0)
	return err
}

// release empties the lock file through w, unlocks f, closes f, then
// closes w: waiters watch for the close of a file opened for writing, and
// so see it only once the lock is free. The file itself stays: deleting
// it while another may have it open is what makes lock files racy.
func release(f, w *os.File) error {
	var errTruncate, errCloseW error
	if w != nil {
		errTruncate = w.Truncate(0)
	}
	errUnlock := funlock(f)
	errClose := f.Close()
	if w != nil {
		errCloseW = w.Close()
	}
	return errors.Join(errTruncate, errUnlock, errClose, errCloseW)
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
	e, began, known := d.notify.known(id)
	if known {
		return e, nil
	}
	e, err := d.probe(id)
	if err == nil {
		d.notify.remember(id, began, e)
	}
	return e, err
}

// probe reads resource id's lock file: whether it is locked, and by whom.
func (d *folder) probe(id string) (lockbackend.Entry, error) {
	path, err := d.lockPath(id)
	if err != nil {
		return lockbackend.Entry{}, err
	}
	f, err := d.openLockFile(path, forLook)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errGone) {
		return lockbackend.Entry{}, nil
	}
	if err != nil {
		return lockbackend.Entry{}, err
	}
	defer f.Close()
	return readEntry(f)
}

// readEntry reads what the lock file f says of its holder. A file that
// the Python lockable is about to delete counts as held, as its tries do
// (see releasing).
func readEntry(f *os.File) (lockbackend.Entry, error) {
	held, err := probeFlock(f)
	if err != nil {
		return lockbackend.Entry{}, err
	}
	if !held {
		if releasing(f) {
			pid, _ := splitPIDLine(readHead(f))
			return lockbackend.Entry{Held: true, PID: pid}, nil
		}
		return lockbackend.Entry{}, nil
	}
	content, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return lockbackend.Entry{Held: true}, fmt.Errorf("cannot read lock file %s: %w", f.Name(), err)
	}
	e := lockbackend.Entry{Held: true}
	e.PID, e.Desc = splitPIDLine(content)
	return e, nil
}

// Subscribe watches the releases and the waiters that in wants, in this
// process and others, until the subscription stops.
func (d *folder) Subscribe(ctx context.Context, in lockbackend.Interest) lockbackend.Subscription {
	return d.notify.subscribe(ctx, in)
}

// touch creates the lock file at path when missing, as a try does, so
// that it can be watched.
func (d *folder) touch(path string) error {
	f, err := d.openLockFile(path, forTry)
	if err != nil {
		return err
	}
	return f.Close()
}

// Polls tells whether a dead holder's lock goes without an event: where
// the watcher sees the close of files opened for writing (Linux), the
// end of a holder closes its lock file's writer, and waiters need not
// look again by themselves.
func (d *folder) Polls() bool { return !closeWrites }

// Close stops the folder's watcher, if it runs, and waits for it. The
// folder keeps no connection; held locks stay held.
func (d *folder) Close() error {
	d.notify.close()
	return nil
}

// fileLock is one held lock file: f holds the lock, w wrote the
// holder's description.
type fileLock struct {
	f, w   *os.File
	id     string
	notify *notifier
}

func (l *fileLock) Release(context.Context) error {
	err := release(l.f, l.w)
	l.notify.released(l.id)
	return err
}

// Files are the lock file's descriptors, for a child process to inherit:
// the lock lasts as long as any process has f, and waiters are told when
// the last one with w has ended.
func (l *fileLock) Files() []*os.File { return []*os.File{l.f, l.w} }

// Token is 0: a lock folder keeps no counter (see Allocation.FencingToken).
func (l *fileLock) Token() int64 { return 0 }

// Lost is nil: the kernel drops a file lock only when its process ends.
func (l *fileLock) Lost() <-chan struct{} { return nil }

// Err is nil: a file lock is never lost while its process lives.
func (l *fileLock) Err() error { return nil }

// kindOf names a file mode's type for messages.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a " + m.Type().String() + " file"
}

// sameAsPath reports whether the file f locked is still the regular file
// at path, without following a link there: another tool may have
// removed, replaced or linked it between the open and the lock, and a
// lock on a file no longer at path excludes nobody.
func sameAsPath(f *os.File, path string) (bool, error) {
	locked, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("lock file %s: %w", path, err)
	}
	current, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock file %s: %w", path, err)
	}
	return current.Mode().IsRegular() && os.SameFile(locked, current), nil
}
