//go:build unix

package core

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryFlock takes an exclusive flock(2) on f without blocking. It reports
// false, with no error, when another open file holds it.
func tryFlock(f *os.File) (bool, error) {
	return flockNB(f, unix.LOCK_EX)
}

// probeFlock reports whether another open file holds a lock on f, by
// taking and at once dropping a shared lock.
func probeFlock(f *os.File) (held bool, err error) {
	ok, err := flockNB(f, unix.LOCK_SH)
	if err != nil || !ok {
		return !ok, err
	}
	return false, funlock(f)
}

// funlock drops the lock that f holds.
func funlock(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}

func flockNB(f *os.File, how int) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		default:
			return false, err
		}
	}
}

// processAlive reports whether a process with that pid exists (it may
// belong to another user).
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
