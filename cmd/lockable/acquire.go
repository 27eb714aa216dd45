package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
)

// acquire holds one resource for every requirement, waiting up to
// --timeout. A signal ends the wait: the error then calls for 128 plus
// the signal's number, as if lockable had died of it.
func (c *cli) acquire(ctx context.Context, lk *core.Lockable, src *preloaded, qs []*query.Query, o *options, sigs <-chan os.Signal) ([]*core.Allocation, error) {
	sigCtx, stop := untilSignal(ctx, sigs)
	allocs, err := c.tryThenWait(sigCtx, lk, src, qs, o)
	if sig := stop(); sig != nil {
		return nil, errors.Join(interrupted(sig), releaseAll(allocs))
	}
	if err != nil && o.explain && (errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrTimeout)) {
		c.explainFailure(ctx, lk, qs)
	}
	return allocs, err
}

// tryThenWait loads the list, tries once, and only when every fitting
// resource is held says so and waits for one.
func (c *cli) tryThenWait(ctx context.Context, lk *core.Lockable, src *preloaded, qs []*query.Query, o *options) ([]*core.Allocation, error) {
	deadline := time.Now().Add(o.timeout)
	if err := src.preload(ctx); err != nil {
		return nil, fmt.Errorf("load resources: %w", err)
	}
	now, cancel := context.WithDeadline(ctx, time.Now())
	allocs, err := lk.LockMany(now, qs...)
	cancel()
	var te *core.TimeoutError
	if !errors.As(err, &te) || o.timeout == 0 {
		return allocs, err
	}
	ctx, cancel = context.WithDeadline(ctx, deadline)
	defer cancel()
	line := c.newWaitLine(lk, qs, o)
	line.show(te.Fitting)
	stopRefresh := line.refresh(ctx, lk, qs)
	allocs, err = lk.LockMany(ctx, qs...)
	stopRefresh()
	line.end(allocs)
	return allocs, err
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
		fits, err := lk.Explain(ctx, q)
		if err != nil {
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, "lockable: how each resource measures up to %s:\n", full)
		for _, f := range fits {
			fmt.Fprintf(&b, "  %s\n", f)
		}
		io.WriteString(c.stderr, c.secrets.String(b.String()))
	}
}
