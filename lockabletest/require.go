package lockabletest

import (
	"errors"

	"github.com/go-lockable/lockable/core"
)

// Require holds one resource that fits requirements for the rest of the
// test, and releases it with t.Cleanup however the test ends. The
// requirements are either form the query package parses: a JSON object
// in MongoDB query syntax or "key=value&key2=value2".
//
// Require records the resource on the test with t.Attr
// (lockable.resource.id, lockable.allocation.id, lockable.fencing_token
// and the WithAttr fields) and logs one line saying what it took and how
// long it queued. When no resource fits, or none comes free before the
// timeout, it skips or fails the test by Policy, with the reason: which
// resources come closest, or who holds them.
//
// While the test runs, a lock that can be lost (one on a lease, such as
// etcd's) is watched: if it is lost, Require's watch fails the test at
// once with t.Errorf, since another holder may have the resource. The
// watch stops when the test ends, before the release.
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
	t.Cleanup(func() { // last: after the releases below
		if err := p.close(); err != nil {
			t.Errorf("lockabletest: %v", err)
		}
	})
	p.capTo(deadlineOf(t))
	as, err := p.lockAll(t.Context(), requirements, t.Logf)
	if err != nil {
		p.unavailable(t, err)
	}
	for _, a := range as {
		g := guardLoss(t, a, holdText(a))
		t.Cleanup(func() {
			g.stop() // before the release, and before t ends
			release(t, g)
		})
	}
	record(t, "lockable.", as, p.attrs)
	logTaken(t, requirements, as)
	return as
}

// release gives g's allocation back, failing t when that goes wrong. A
// loss is reported once, whether the watch or the release saw it. A test
// may have released the allocation early itself.
func release(t TB, g *guard) {
	t.Helper()
	if !g.a.ReleaseTime().IsZero() {
		return
	}
	err := g.a.Unlock()
	switch {
	case errors.Is(err, core.ErrLost):
		g.report()
	case errors.Is(err, core.ErrCheckFailed):
		// The resource is in maintenance: the lab's problem, told, not
		// the test's.
		t.Logf("lockabletest: %v", err)
	case err != nil:
		t.Errorf("lockabletest: release %s: %v", g.a.ResourceID(), err)
	}
}
