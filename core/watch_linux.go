package core

import (
	"context"
	"errors"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// closeWrites: this watcher sees the close of a dead holder's files, so a
// crashed holder's resource is noticed at once, not by polling.
const closeWrites = true

// The watch is one inotify instance. It watches each lock file and
// ticket that a waiter of this process wants, rather than the folders,
// so that a process is told only of the resources and waiters it cares
// about: a release of a phone costs the processes that wait for a tablet
// nothing. The folders themselves are watched only for going away. Who
// follows the whole lab (Changes) has the folders watched for every
// change.
const (
	// lockMask: a file opened for writing closed (a release closes the
	// lock file's writer after the unlock; a holder that dies closes
	// everything), or the file unlinked or gone (the Python lockable
	// deletes its file after releasing; the file at the path is watched
	// then, a new one as soon as it is made).
	lockMask = unix.IN_CLOSE_WRITE | unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_DONT_FOLLOW
	// ticketMask: the waiter's file closed (it left, or died), or
	// removed.
	ticketMask = unix.IN_CLOSE_WRITE | unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_DONT_FOLLOW
	// dirMask: the folder gone. A waiter reads the queue's folder when it
	// looks, and so needs no event of a new ticket: one that comes takes
	// nothing from it by coming.
	dirMask = unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW
	// lockDirMask: also a file renamed into place, which is how a
	// maintenance record is put (maintenance_folder.go): rare, and every
	// waiter of the resource must know at once.
	lockDirMask = dirMask | unix.IN_MOVED_TO
	// recordMask: a maintenance record removed or replaced.
	recordMask = unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_DONT_FOLLOW
	// followMask: everything, for who follows the whole lab.
	followMask = dirMask | unix.IN_MOVED_TO | unix.IN_CLOSE_WRITE | unix.IN_MODIFY | unix.IN_DELETE | unix.IN_MOVED_FROM
)

// errWatchGone: a watched folder was removed or moved.
var errWatchGone = errors.New("a watched folder was removed or moved")

// inotifyWatch is the running watch of one lock folder and its queue.
type inotifyWatch struct {
	f    *os.File // non-blocking: Close ends a Read
	fd   int
	dirs [2]string // the lock folder, the queue
	on   func(target, string, eventKind)
	lost func()

	mu   sync.Mutex
	byWD map[int32]target
	wds  map[target]int32
}

// startWatch watches the lock folder dirs[0] and its queue dirs[1]: on
// is told of each event, with the name of the file in a folder (a file's
// own watch has none); lost when events may have been missed.
func startWatch(dirs [2]string, follow bool, on func(target, string, eventKind), lost func()) (fileWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	w := &inotifyWatch{f: os.NewFile(uintptr(fd), "inotify"), fd: fd, dirs: dirs, on: on, lost: lost,
		byWD: map[int32]target{}, wds: map[target]int32{}}
	if err := w.follow(follow); err != nil {
		w.f.Close()
		return nil, err
	}
	return w, nil
}

// follow sets the folders' watches for whether someone follows the whole
// lab.
func (w *inotifyWatch) follow(on bool) error {
	masks := [2]uint32{lockDirMask, dirMask}
	if on {
		masks = [2]uint32{followMask, followMask}
	}
	for i, dir := range w.dirs {
		if err := w.addWatch(target{kind: fileKind(i)}, dir, masks[i]); err != nil {
			return err
		}
	}
	return nil
}

func (w *inotifyWatch) addWatch(t target, path string, mask uint32) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	wd, err := unix.InotifyAddWatch(w.fd, path, mask)
	if err != nil {
		return &os.PathError{Op: "inotify_add_watch", Path: path, Err: err}
	}
	if old, ok := w.wds[t]; ok && old != int32(wd) {
		delete(w.byWD, old)
	}
	w.byWD[int32(wd)], w.wds[t] = t, int32(wd)
	return nil
}

// add watches one lock file or ticket.
func (w *inotifyWatch) add(kind fileKind, id, path string) error {
	mask := uint32(lockMask)
	switch kind {
	case ticketFile:
		mask = ticketMask
	case recordFile:
		mask = recordMask
	}
	return w.addWatch(target{kind: kind, id: id}, path, mask)
}

// remove stops watching one lock file or ticket.
func (w *inotifyWatch) remove(kind fileKind, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := target{kind: kind, id: id}
	if wd, ok := w.wds[t]; ok {
		unix.InotifyRmWatch(w.fd, uint32(wd)) // fails only when the file went already
		delete(w.wds, t)
		delete(w.byWD, wd)
	}
}

// run reads events until ctx is done or a folder goes away.
func (w *inotifyWatch) run(ctx context.Context) error {
	defer w.f.Close()
	stop := context.AfterFunc(ctx, func() { w.f.Close() })
	defer stop()
	buf := make([]byte, 64<<10)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return err
		}
		if err := w.parse(buf[:n]); err != nil {
			return err
		}
	}
}

// parse hands each event in buf on.
func (w *inotifyWatch) parse(buf []byte) error {
	for len(buf) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(buf) {
			return nil
		}
		name := string(trimNUL(buf[unix.SizeofInotifyEvent:end]))
		buf = buf[end:]
		if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
			w.lost()
			continue
		}
		w.mu.Lock()
		t, ok := w.byWD[ev.Wd]
		if ok && ev.Mask&unix.IN_IGNORED != 0 { // the watch is gone with its file
			delete(w.byWD, ev.Wd)
			if w.wds[t] == ev.Wd {
				delete(w.wds, t)
			}
		}
		w.mu.Unlock()
		if !ok {
			continue
		}
		folder := t.kind == lockFolder || t.kind == queueFolder
		switch {
		case folder && ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF|unix.IN_IGNORED) != 0:
			return errWatchGone
		case folder && name == "":
		case ev.Mask&unix.IN_IGNORED != 0, ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0,
			t.kind != ticketFile && ev.Mask&unix.IN_ATTRIB != 0:
			w.on(t, name, gone)
		case ev.Mask&unix.IN_CLOSE_WRITE != 0:
			w.on(t, name, closed)
		case ev.Mask&unix.IN_MOVED_TO != 0:
			w.on(t, name, added)
		case ev.Mask&unix.IN_MODIFY != 0:
			w.on(t, name, written)
		default: // deleted or renamed away from a folder, or a ticket unlinked (IN_ATTRIB)
			w.on(t, name, removed)
		}
	}
	return nil
}

// trimNUL drops the NUL padding after an inotify event's name.
func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
