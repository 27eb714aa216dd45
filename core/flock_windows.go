//go:build windows

package core

import (
	"errors"
	"math"
	"os"

	"golang.org/x/sys/windows"
)

// Windows locks are mandatory: a locked range cannot be read by others.
// The lock covers one byte far past the end of any lock file, so that the
// holder's description stays readable.
const lockOffset = math.MaxUint32

func lockRange() *windows.Overlapped {
	return &windows.Overlapped{Offset: lockOffset, OffsetHigh: lockOffset}
}

// tryFlock takes an exclusive lock on f without blocking. It reports
// false, with no error, when another open file holds it.
func tryFlock(f *os.File) (bool, error) {
	return lockNB(f, windows.LOCKFILE_EXCLUSIVE_LOCK)
}

// probeFlock reports whether another open file holds a lock on f, by
// taking and at once dropping a shared lock.
func probeFlock(f *os.File) (held bool, err error) {
	ok, err := lockNB(f, 0)
	if err != nil || !ok {
		return !ok, err
	}
	return false, funlock(f)
}

// funlock drops the lock that f holds.
func funlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, lockRange())
}

func lockNB(f *os.File, flags uint32) (bool, error) {
	flags |= windows.LOCKFILE_FAIL_IMMEDIATELY
	err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, lockRange())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	default:
		return false, err
	}
}

// processAlive is false: the Python lockable's files are not shared with
// it on Windows, and a pid there says little.
func processAlive(int) bool { return false }
