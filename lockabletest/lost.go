package lockabletest

import (
	"errors"
	"fmt"
	"sync"

	"github.com/go-lockable/lockable/core"
)

// guard fails a test, once, when an allocation it holds is lost: its
// lease expired, so another holder may have the resource.
type guard struct {
	t       TB
	a       *core.Allocation
	subject string // what was lost, for the message
	once    sync.Once
	stop    func() // stops the watch and waits until it has stopped
}

// guardLoss watches a while t holds it, failing t at once if it is lost.
// The caller must call stop before t ends: t.Errorf panics after that.
// On the lock folder, whose locks are lost only with the process, it
// starts nothing.
func guardLoss(t TB, a *core.Allocation, subject string) *guard {
	g := &guard{t: t, a: a, subject: subject}
	g.stop = watch(a.Lost(), g.lostWhileHeld)
	return g
}

// lostWhileHeld reports a loss seen by the watch, unless the test had
// released the resource itself: a lease that runs out after its release
// loses nothing.
func (g *guard) lostWhileHeld() {
	if g.a.ReleaseTime().IsZero() {
		g.report()
	}
}

// report fails the test with the loss, the first time only.
func (g *guard) report() {
	g.once.Do(func() {
		g.t.Errorf("lockabletest: lost %s while the test held it: its lease expired, so another holder may have it now and this test's results cannot be trusted (%s)",
			g.subject, lossCause(g.a))
	})
}

// stopAndCheck stops the watch, then reports a loss that the watch did
// not see yet: the lease's deadline passed just before the test ended.
func (g *guard) stopAndCheck() {
	g.stop()
	if g.a.Err() != nil {
		g.report()
	}
}

// watch calls lost when ch is closed, until stop is called; stop returns
// once the watching goroutine has. A nil ch is never closed, so nothing
// is started for it.
func watch(ch <-chan struct{}, lost func()) (stop func()) {
	if ch == nil {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ch:
			lost()
		case <-quit:
		}
	}()
	return sync.OnceFunc(func() {
		close(quit)
		<-done
	})
}

// holdText names an allocation in messages: the resource, the
// allocation id and the fencing token.
func holdText(a *core.Allocation) string {
	return fmt.Sprintf("%s (allocation %s, fencing token %d)", a.ResourceID(), a.ID(), a.FencingToken())
}

// memberText names a fleet member's allocation in messages.
func memberText(name string, a *core.Allocation) string {
	return fmt.Sprintf("fleet member %s, %s", name, holdText(a))
}

// lossCause says why a was lost, as its backend tells, without the
// resource and allocation that holdText already names.
func lossCause(a *core.Allocation) string {
	err := a.Err()
	if err == nil {
		return core.ErrLost.Error()
	}
	if inner := errors.Unwrap(err); inner != nil {
		return inner.Error()
	}
	return err.Error()
}
