package core

import (
	"context"
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchMask is what can free a resource or change the queue: a file
// opened for writing closed (a release closes the lock file's writer
// after the unlock; a holder or waiter that dies closes everything), a
// file removed or renamed away (the Python lockable deletes its file
// after releasing; a waiter leaves), a file renamed into place (a
// ticket), and the folder itself going away. Lockable's own tries open
// lock files read-only, so that they wake nobody. A write (a holder
// describing itself) is seen too, for those who follow the whole lab.
const watchMask = unix.IN_CLOSE_WRITE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_MODIFY |
	unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// closeWrites: this watcher sees the close of a dead holder's files, so a
// crashed holder's resource is noticed at once, not by polling.
const closeWrites = true

// errWatchGone: a watched folder was removed or moved.
var errWatchGone = errors.New("a watched folder was removed or moved")

// watchDirs watches dirs with inotify until ctx is done, or a folder goes
// away (errWatchGone). It calls ready once the watches are in place,
// on(dir, name, kind) for each event on a file of dirs[dir], and lost()
// when events may have been missed (the kernel's queue overflowed).
func watchDirs(ctx context.Context, dirs []string, ready func(), on func(dir int, name string, kind eventKind), lost func()) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), "inotify") // non-blocking: Close ends a Read
	defer f.Close()
	wds := map[int32]int{}
	for i, d := range dirs {
		wd, err := unix.InotifyAddWatch(fd, d, watchMask)
		if err != nil {
			return &os.PathError{Op: "inotify_add_watch", Path: d, Err: err}
		}
		wds[int32(wd)] = i
	}
	ready()
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	buf := make([]byte, 64<<10)
	for {
		n, err := f.Read(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return err
		}
		if err := parseEvents(buf[:n], wds, on, lost); err != nil {
			return err
		}
	}
}

// parseEvents calls on or lost for each inotify event in buf.
func parseEvents(buf []byte, wds map[int32]int, on func(int, string, eventKind), lost func()) error {
	for len(buf) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(buf) {
			return nil
		}
		name := string(trimNUL(buf[unix.SizeofInotifyEvent:end]))
		buf = buf[end:]
		dir, ok := wds[ev.Wd]
		switch {
		case ev.Mask&unix.IN_Q_OVERFLOW != 0:
			lost()
		case ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF|unix.IN_IGNORED) != 0:
			return errWatchGone
		case !ok || name == "":
		case ev.Mask&unix.IN_CLOSE_WRITE != 0:
			on(dir, name, closed)
		case ev.Mask&unix.IN_MOVED_TO != 0:
			on(dir, name, added)
		case ev.Mask&unix.IN_MODIFY != 0:
			on(dir, name, written)
		default:
			on(dir, name, removed)
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
