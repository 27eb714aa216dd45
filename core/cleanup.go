package core

import (
	"context"
	"errors"
	"fmt"
)

// unlock releases a after its cleanup (WithCleanup), if it has one: the
// cleanup runs while the resource is still locked, and a failed one puts
// the resource in maintenance before the release. A second Unlock, even
// while the first still cleans up, is an error matching ErrNotHeld.
func (l *Lockable) unlock(a *Allocation) error {
	if !a.startUnlock() {
		return fmt.Errorf("%w: %s was released already", ErrNotHeld, a.ResourceID())
	}
	var failed error
	if a.cleanup.fn != nil {
		failed = l.cleanUp(a)
	}
	return errors.Join(failed, l.release(a))
}

// cleanUp runs a's cleanup and returns its failure, if it failed. A lock
// that was lost is not cleaned up: another holder may have the resource.
func (l *Lockable) cleanUp(a *Allocation) error {
	if err := a.Err(); err != nil {
		l.log.Warn("cleanup skipped: the lock was lost", "resource", a.ResourceID(), "err", err)
		return nil
	}
	ce, _ := l.runCheck(context.Background(), a, a.cleanup, true) // never cancelled
	if ce == nil {
		return nil
	}
	return ce
}
