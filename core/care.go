package core

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/provider"
)

// care is what lab care adds to one request: its checks, the resources
// it leaves out, and when the first maintenance window that it waits for
// ends.
type care struct {
	careConfig
	// failed are the resources that failed their health check during the
	// call, by id; they are left out of it.
	failed map[string]*CheckError
	// out are the fitting resources left out by the last attempt, by
	// index into the list: in maintenance, or failed (nil then when the
	// maintenance could not be recorded).
	out map[int]*Maintenance
	// later are the fitting resources in a maintenance window that ends
	// before the call's deadline: busy until then.
	later map[int]bool
	// nextEnd is when the first of those windows ends.
	nextEnd time.Time
	timer   *time.Timer
}

// leaveOut drops from fit the resources out of service for this request:
// those in maintenance, unless their window ends before ctx's deadline
// (they count as busy until then, see markBusy), and those that failed a
// health check during the call.
func (l *Lockable) leaveOut(ctx context.Context, r *request, fit [][]int) error {
	c := &r.care
	all := unique(fit)
	ids := make([]string, len(all))
	for k, res := range all {
		ids[k] = r.list[res].ID()
	}
	maint, err := l.maintenanceOf(ctx, ids)
	if err != nil {
		return err
	}
	c.out, c.later, c.nextEnd = map[int]*Maintenance{}, map[int]bool{}, time.Time{}
	deadline, bounded := ctx.Deadline()
	for k, res := range all {
		m := maint[k]
		switch ce := c.failed[ids[k]]; {
		case ce != nil:
			c.out[res] = ce.Maintenance
		case m == nil:
		case !m.Until.IsZero() && (!bounded || !m.Until.After(deadline)):
			c.later[res] = true
			if c.nextEnd.IsZero() || m.Until.Before(c.nextEnd) {
				c.nextEnd = m.Until
			}
		default:
			c.out[res] = m
		}
	}
	if len(c.out) == 0 {
		return nil
	}
	for i := range fit { // fit's slices are the cache's: replace, never edit
		fit[i] = slices.DeleteFunc(slices.Clone(fit[i]), func(res int) bool { _, out := c.out[res]; return out })
	}
	return nil
}

// returning names the resources that leaveOut left out for a
// maintenance, not for a failed check of this call: the end of their
// maintenance may serve the request, so it watches them too.
func (c *care) returning(list []provider.Resource) []string {
	var ids []string
	for res := range c.out {
		if id := list[res].ID(); c.failed[id] == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// markBusy marks the resources in a maintenance window that ends before
// the deadline as busy: they are waited for, not taken.
func (c *care) markBusy(busy map[int]bool) {
	for res := range c.later {
		busy[res] = true
	}
}

// markOut marks the resources out of service, or in a window, as not
// free for the queue's rule: it gives them to no waiter, whose own look
// leaves them out too.
func (c *care) markOut(f *lazyFree) {
	for res := range c.out {
		f.looked[res], f.busy[res] = true, true
	}
	for res := range c.later {
		f.looked[res], f.busy[res] = true, true
	}
}

// windowEnd returns a channel that receives when the first maintenance
// window the request waits for ends; nil when it waits for none.
func (c *care) windowEnd() <-chan time.Time {
	if c.nextEnd.IsZero() {
		return nil
	}
	if c.timer == nil {
		c.timer = time.NewTimer(time.Until(c.nextEnd))
	} else {
		c.timer.Reset(time.Until(c.nextEnd))
	}
	return c.timer.C
}

// attemptCared is attempt, and lab care of what it took before it is
// handed over: the health checks, then one more look at the maintenance
// records. A resource that fails its check is put in maintenance and left
// out; one that went into maintenance meanwhile is left out too. Either
// way everything taken is released and the attempt made again at once,
// so the caller never gets a resource that failed or is in maintenance,
// and several requirements stay all or nothing.
func (l *Lockable) attemptCared(ctx context.Context, r *request) ([]*Allocation, error) {
	for {
		as, err := l.attempt(ctx, r)
		if as == nil || err != nil {
			return as, err
		}
		fit, err := l.inspect(ctx, r, as)
		if err != nil || !fit {
			if rerr := l.releaseAll(slices.Values(as)); err != nil || rerr != nil {
				return nil, errors.Join(err, rerr)
			}
			continue
		}
		for _, a := range as {
			a.cleanup = r.care.cleanup
		}
		return as, nil
	}
}

// inspect checks what an attempt took; it reports whether all of it may
// be handed over.
func (l *Lockable) inspect(ctx context.Context, r *request, as []*Allocation) (bool, error) {
	if r.care.check.fn != nil {
		failed, err := l.checkAll(ctx, as, r.care.check)
		if err != nil {
			return false, err
		}
		if len(failed) > 0 {
			r.care.fail(failed)
			return false, nil
		}
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ResourceID()
	}
	// Whatever the deadline: the resources are taken, and checked.
	maint, err := l.maintenanceOf(context.WithoutCancel(ctx), ids)
	if err != nil {
		return false, err
	}
	for i, m := range maint {
		if m != nil {
			l.log.Info("went into maintenance while being allocated; leaving it", "resource", ids[i])
			return false, nil
		}
	}
	return true, nil
}

// checkAll runs the health check of every allocation at once, and
// returns those that failed.
func (l *Lockable) checkAll(ctx context.Context, as []*Allocation, spec checkSpec) ([]*CheckError, error) {
	failed := make([]*CheckError, len(as))
	errs := make([]error, len(as))
	var wg sync.WaitGroup
	for i, a := range as {
		wg.Go(func() { failed[i], errs[i] = l.runCheck(ctx, a, spec, false) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(failed, func(ce *CheckError) bool { return ce == nil }), nil
}

// fail records failed health checks: the resources are left out of the
// rest of the call.
func (c *care) fail(failed []*CheckError) {
	if c.failed == nil {
		c.failed = map[string]*CheckError{}
	}
	for _, ce := range failed {
		c.failed[ce.Resource] = ce
	}
}

// failures returns the health checks failed during the call, by id.
func (c *care) failures() []*CheckError {
	out := make([]*CheckError, 0, len(c.failed))
	for _, ce := range c.failed {
		out = append(out, ce)
	}
	slices.SortFunc(out, func(a, b *CheckError) int { return strings.Compare(a.Resource, b.Resource) })
	return out
}
