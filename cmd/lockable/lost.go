package main

import (
	"errors"

	"github.com/go-lockable/lockable/core"
)

// losses gathers the allocations' Lost channels into one: it receives
// each allocation whose lock is lost before done is closed. On the lock
// folder, whose locks are never lost, nothing ever comes.
func losses(allocs []*core.Allocation, done <-chan struct{}) <-chan *core.Allocation {
	out := make(chan *core.Allocation, len(allocs)) // never blocks a sender
	for _, a := range allocs {
		if a.Lost() == nil {
			continue
		}
		go func() {
			select {
			case <-a.Lost():
				out <- a
			case <-done:
			}
		}()
	}
	return out
}

// tellLost returns the function that says on stderr, on one line, that
// a lock was lost while the command ran and that lockable stops it.
func (c *cli) tellLost(o *options) func(*core.Allocation) {
	return func(a *core.Allocation) {
		c.say("lost the lock on %s: its lease expired, so another holder may have it now; stopping the command (SIGTERM, then SIGKILL after --kill-after %s)",
			a.ResourceID(), o.killAfter)
	}
}

// release releases every allocation and tells on stderr what went
// wrong. A lock that release finds lost is told unless it was told
// while the command ran (in told); release reports whether there was
// such a late loss.
func (c *cli) release(allocs []*core.Allocation, told map[*core.Allocation]bool) (lostLate bool) {
	for _, a := range allocs {
		err := a.Unlock()
		lost := errors.Is(err, core.ErrLost)
		switch {
		case err == nil || lost && told[a]:
		case lost:
			lostLate = true
			c.say("lost the lock on %s before releasing it: its lease expired, so another holder may have had it while the command ran", a.ResourceID())
		default:
			c.report(err)
		}
	}
	return lostLate
}
