package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
)

// acquire opens the Lockable the options describe and holds one
// resource for every requirement with it, waiting up to --timeout: every
// request it makes (connecting to etcd, loading an HTTP list) ends by then
// too. A signal ends the wait: the error then calls for 128 plus the
// signal's number, as if lockable had died of it.
func (c *cli) acquire(ctx context.Context, o *options, qs []*query.Query, sigs <-chan os.Signal, opts ...core.LockOption) (*core.Lockable, []*core.Allocation, error) {
	sigCtx, stop := untilSignal(ctx, sigs)
	c.interrupt = sigCtx
	bounded, cancel := c.bound(sigCtx, o)
	defer cancel()
	lk, err := c.open(bounded, o)
	var allocs []*core.Allocation
	if err == nil {
		allocs, err = c.tryThenWait(bounded, lk, qs, o, opts)
	}
	if sig := stop(); sig != nil {
		return lk, nil, errors.Join(interrupted(sig), releaseAll(allocs))
	}
	if err != nil && o.explain && (errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrTimeout)) {
		c.explainFailure(ctx, lk, qs)
	}
	return lk, allocs, err
}

// bound gives the run its --timeout as a deadline. --timeout 0, which
// tries once and never waits, leaves the loading of the list to the
// source's own bounds.
func (c *cli) bound(ctx context.Context, o *options) (context.Context, context.CancelFunc) {
	if o.timeout == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, o.timeout)
}

// tryThenWait tries once, and only when every fitting resource is held
// says so and waits for one, until ctx's deadline.
func (c *cli) tryThenWait(ctx context.Context, lk *core.Lockable, qs []*query.Query, o *options, opts []core.LockOption) ([]*core.Allocation, error) {
	start := time.Now()
	allocs, err := lk.TryLockMany(ctx, qs, opts...)
	if allocs != nil || err != nil {
		return allocs, err
	}
	if o.timeout == 0 {
		sts, queue := fittingAndQueue(ctx, lk, qs)
		return nil, busyError(lk, qs, sts, keptFor(sts, queue, o.priority), time.Since(start))
	}
	held := fitting(ctx, lk, qs)
	line := c.newWaitLine(lk, qs, o)
	line.show(held)
	stopRefresh := line.refresh(ctx, lk, qs)
	allocs, err = lk.LockMany(ctx, qs, opts...)
	stopRefresh()
	line.end(allocs)
	return allocs, err
}

// busyError is the timeout of a run that tried once (--timeout 0): every
// fitting resource was held, or kept for the waiters ahead.
func busyError(lk *core.Lockable, qs []*query.Query, fitting []core.ResourceStatus, ahead []core.Waiter, waited time.Duration) error {
	full := make([]*query.Query, len(qs))
	for i, q := range qs {
		full[i] = lk.Requirements(q)
	}
	return &core.TimeoutError{Requirements: full, Waited: waited, Fitting: uniqueByID(fitting), Ahead: ahead, Err: context.DeadlineExceeded}
}

// keptFor returns the waiters that a try of priority p comes after (those
// of priority p or more) and that want a fitting resource that is free:
// the queue kept it for them. A waiting run learns its competition from
// core; a try has no place in the queue, so this is told from the queue
// as status shows it.
func keptFor(fitting []core.ResourceStatus, queue []core.Waiter, p int) []core.Waiter {
	var free []string
	for _, st := range fitting {
		if st.State == core.Free {
			free = append(free, st.Resource.JSON())
		}
	}
	var out []core.Waiter
	for _, w := range queue {
		if w.Priority >= p && wantsAny(w, free) {
			out = append(out, w)
		}
	}
	return out
}

// wantsAny reports whether one of w's requirements fits one of the
// resources.
func wantsAny(w core.Waiter, resources []string) bool {
	for _, raw := range w.Requirements {
		q, err := query.Parse(string(raw))
		if err != nil {
			continue
		}
		if slices.ContainsFunc(resources, q.Match) {
			return true
		}
	}
	return false
}

// untilSignal returns a context that a signal from sigs cancels, and a
// stop function that ends the watch and returns the signal received, if
// one was.
func untilSignal(parent context.Context, sigs <-chan os.Signal) (context.Context, func() os.Signal) {
	ctx, cancel := context.WithCancel(parent)
	got := make(chan os.Signal, 1)
	quit := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			got <- sig
			cancel()
		case <-quit:
			got <- nil
		}
	}()
	return ctx, func() os.Signal {
		close(quit)
		cancel()
		return <-got
	}
}

func interrupted(sig os.Signal) error {
	return withCode(signalCode(sig), fmt.Errorf("%s while waiting for a resource: nothing held, nothing run", sig))
}

// releaseAll releases every allocation.
func releaseAll(allocs []*core.Allocation) error {
	var errs []error
	for _, a := range allocs {
		errs = append(errs, a.Unlock())
	}
	return errors.Join(errs...)
}

// explainFailure tells on stderr, for every requirement, why each
// resource does or does not fit.
func (c *cli) explainFailure(ctx context.Context, lk *core.Lockable, qs []*query.Query) {
	seen := map[string]bool{}
	for _, q := range qs {
		full := lk.Requirements(q).String()
		if seen[full] {
			continue
		}
		seen[full] = true
		st, err := lk.Status(ctx, q)
		if err != nil {
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, "lockable: how each resource measures up to %s:\n", full)
		for _, r := range st.Resources {
			fmt.Fprintf(&b, "  %s\n", r.Fit)
		}
		io.WriteString(c.stderr, c.secrets.String(b.String()))
	}
}
