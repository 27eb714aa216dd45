package lockabletest

import (
	"github.com/go-lockable/lockable/core"
)

// Require holds one resource that fits requirements for the rest of the
// test, and releases it with t.Cleanup however the test ends. The
// requirements are either form the query package parses: a JSON object
// in MongoDB query syntax or "key=value&key2=value2".
//
// Require records the resource on the test with t.Attr
// (lockable.resource.id, lockable.allocation.id and the WithAttr fields)
// and logs one line saying what it took and how long it queued. When no
// resource fits, or none comes free before the timeout, it skips or
// fails the test by Policy, with the reason: which resources come
// closest, or who holds them.
//
// Require must be called from the goroutine running the test, as
// t.FailNow must: it may stop that goroutine. It is safe to call from
// parallel tests.
func Require(t TB, requirements string, opts ...Option) *core.Allocation {
	t.Helper()
	return requireAll(t, []string{requirements}, opts)[0]
}

// RequireMany holds one distinct resource for each requirement, all or
// nothing, in the order given, as Require holds one. The requirements
// come as a slice so that options can follow them.
//
// RequireMany must be called from the goroutine running the test.
func RequireMany(t TB, requirements []string, opts ...Option) []*core.Allocation {
	t.Helper()
	if len(requirements) == 0 {
		return nil
	}
	return requireAll(t, requirements, opts)
}

func requireAll(t TB, requirements []string, opts []Option) []*core.Allocation {
	t.Helper()
	p := newPlan(newOptions(opts), t.Name())
	p.capTo(deadlineOf(t))
	as, err := p.lockAll(t.Context(), requirements)
	if err != nil {
		p.unavailable(t, err)
	}
	for _, a := range as {
		t.Cleanup(func() { release(t, a) })
	}
	record(t, "lockable.", as, p.attrs)
	logTaken(t, requirements, as)
	return as
}

// release gives a back, failing t when that goes wrong. A test may have
// released it early itself.
func release(t TB, a *core.Allocation) {
	t.Helper()
	if !a.ReleaseTime().IsZero() {
		return
	}
	if err := a.Unlock(); err != nil {
		t.Errorf("lockabletest: release %s: %v", a.ResourceID(), err)
	}
}
