package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

const (
	// minBackoff is the first pause after a wake-up that found nothing
	// free: a releaser empties its lock file (the event) just before it
	// unlocks.
	minBackoff = time.Millisecond
	// maxBackoff bounds the pause between attempts without events, which
	// is how a crashed holder's lock (it makes no event) is noticed.
	maxBackoff = 250 * time.Millisecond
	// reloadEvery paces reloading the resources list while waiting.
	reloadEvery = time.Second
)

// Lock allocates one free resource that fits q (with the default
// requirements added). It blocks until one is free or ctx is done. It
// fails at once with an error matching ErrNotFound when no resource fits,
// and with one matching ErrTimeout (and context.DeadlineExceeded) when
// ctx's deadline passes; a cancelled ctx ends the wait with an error
// matching context.Canceled. Every request it makes is bounded by ctx, so
// Lock returns by ctx's deadline; with a ctx that is done already it
// tries once with what needs no waiting (see TryLock).
func (l *Lockable) Lock(ctx context.Context, q *query.Query, opts ...LockOption) (*Allocation, error) {
	as, err := l.acquire(ctx, []*query.Query{q}, l.lockConfig(opts), true)
	if err != nil || as == nil {
		return nil, err
	}
	return as[0], nil
}

// LockMany allocates one distinct resource for each requirement, all or
// nothing: when it returns an error, it holds none of them. It finds an
// assignment whenever one exists among the free resources, and never
// holds some resources while it waits for others. It blocks and fails as
// Lock does. No requirements allocate nothing.
func (l *Lockable) LockMany(ctx context.Context, qs []*query.Query, opts ...LockOption) ([]*Allocation, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	return l.acquire(ctx, qs, l.lockConfig(opts), true)
}

// TryLock allocates one free resource that fits q, as Lock does, but
// never waits for one: when every fitting resource is held it returns
// nil and no error. It fails with an error matching ErrNotFound when no
// resource fits. ctx bounds the requests it makes (loading an HTTP list,
// asking etcd); with a ctx that is done already, only what needs no
// waiting is tried (the lock folder's locks, a list already received),
// and the rest fails with ctx's error.
func (l *Lockable) TryLock(ctx context.Context, q *query.Query, opts ...LockOption) (*Allocation, error) {
	as, err := l.acquire(ctx, []*query.Query{q}, l.lockConfig(opts), false)
	if err != nil || as == nil {
		return nil, err
	}
	return as[0], nil
}

// TryLockMany allocates one distinct resource for each requirement, all
// or nothing, as LockMany does, but never waits: when no assignment of
// free resources exists, it returns nil and no error.
func (l *Lockable) TryLockMany(ctx context.Context, qs []*query.Query, opts ...LockOption) ([]*Allocation, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	return l.acquire(ctx, qs, l.lockConfig(opts), false)
}

// Do holds a resource that fits q while fn runs, and releases it when fn
// returns or panics: the Python lockable's auto_lock. It blocks as Lock
// does.
func (l *Lockable) Do(ctx context.Context, q *query.Query, fn func(*Allocation) error, opts ...LockOption) (err error) {
	a, err := l.Lock(ctx, q, opts...)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, a.Unlock()) }()
	return fn(a)
}

// release gives a back. Releasing an allocation twice is an error
// matching ErrNotHeld.
func (l *Lockable) release(a *Allocation) error {
	l.mu.Lock()
	held := l.held[a.ResourceID()] == a
	if held {
		delete(l.held, a.ResourceID())
	}
	l.mu.Unlock()
	if !held {
		return fmt.Errorf("%w: %s was released already", ErrNotHeld, a.ResourceID())
	}
	a.markReleased(time.Now())
	// A backend on the network bounds its own requests.
	if err := a.lock.Release(context.Background()); err != nil {
		return fmt.Errorf("release %s: %w", a.ResourceID(), err)
	}
	l.log.Info("released", "resource", a.ResourceID(), "allocation", a.ID(), "held", a.Duration())
	return nil
}

// request is one call of Lock, LockMany, TryLock or TryLockMany in
// progress.
type request struct {
	reqs     []*query.Query // as given
	full     []*query.Query // with defaults
	owner    string
	start    time.Time
	list     []provider.Resource
	loadedAt time.Time
	backoff  time.Duration
	// seen is what the backend last told of the fitting resources' locks,
	// by resource id, for the timeout's explanation.
	seen map[string]lockbackend.Entry
}

func (l *Lockable) acquire(ctx context.Context, qs []*query.Query, cfg lockConfig, wait bool) ([]*Allocation, error) {
	r := &request{reqs: qs, owner: cfg.owner, start: time.Now(), backoff: minBackoff}
	r.full = make([]*query.Query, len(qs))
	for i, q := range qs {
		r.full[i] = l.Requirements(q)
	}
	var stop func()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	for {
		changed := l.locks.Changed()
		as, err := l.attempt(ctx, r)
		switch {
		case err != nil && r.list != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return nil, l.gaveUp(ctx, r, ctx.Err()) // the deadline, not the backend
		case as != nil || err != nil:
			return as, err
		case !wait:
			return nil, nil
		case ctx.Err() != nil:
			return nil, l.gaveUp(ctx, r, ctx.Err())
		case stop == nil:
			// Watch, then look once more: a release between the attempt
			// and the watch would otherwise go unnoticed until the backoff.
			stop = l.locks.Watch(ctx)
			l.log.Info("waiting: every fitting resource is held", "requirements", requirementsText(r.full), "owner", r.owner)
			continue
		}
		if err := l.wait(ctx, r, changed); err != nil {
			return nil, l.gaveUp(ctx, r, err)
		}
	}
}

// wait pauses until a release may have happened or ctx is done. A
// backend that polls is also tried again after a backoff; one that does
// not is woken only by its events, or by a change of the resources list.
func (l *Lockable) wait(ctx context.Context, r *request, changed <-chan struct{}) error {
	for {
		pause := reloadEvery
		if l.locks.Polls() {
			pause = r.backoff/2 + rand.N(r.backoff/2+1)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
			t.Stop()
			r.backoff = minBackoff
			return nil
		case <-t.C:
			r.backoff = min(2*r.backoff, maxBackoff)
		}
		if l.locks.Polls() {
			return nil
		}
		if changed, err := l.reload(ctx, r); changed || err != nil {
			return err
		}
	}
}

// attempt tries once to take a resource for every requirement. It
// returns nil, nil when the fitting resources are busy.
func (l *Lockable) attempt(ctx context.Context, r *request) ([]*Allocation, error) {
	if err := l.load(ctx, r); err != nil {
		return nil, err
	}
	fit := make([][]int, len(r.reqs))
	for i, q := range r.reqs {
		fit[i] = l.cache.fitting(r.list, q)
	}
	if assign(orders(fit, inOrder), func(int) bool { return true }) == nil {
		return nil, l.notFound(r, fit)
	}
	busy, err := l.busy(ctx, r, fit)
	if err != nil {
		return nil, err
	}
	return l.take(ctx, r, orders(fit, randomOrder), busy)
}

// busy asks the backend which fitting resources are held, when it can
// tell more cheaply than trying them; the rest are tried.
func (l *Lockable) busy(ctx context.Context, r *request, fit [][]int) (map[int]bool, error) {
	busy := map[int]bool{}
	teller, ok := l.locks.(lockbackend.BusyTeller)
	if !ok {
		return busy, nil
	}
	all := unique(fit)
	ids := make([]string, len(all))
	for i, res := range all {
		ids[i] = r.list[res].ID()
	}
	entries, err := teller.Busy(ctx, ids)
	if err != nil {
		return nil, err
	}
	r.seen = make(map[string]lockbackend.Entry, len(ids))
	for i, e := range entries {
		r.seen[ids[i]] = e
		if e.Held {
			busy[all[i]] = true
		}
	}
	return busy, nil
}

// unique returns the resources of every requirement, each once, sorted.
func unique(fit [][]int) []int {
	var all []int
	for _, f := range fit {
		all = append(all, f...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

func orders(fit [][]int, visit func([]int) *order) []*order {
	out := make([]*order, len(fit))
	for i, f := range fit {
		out[i] = visit(f)
	}
	return out
}

// reload reloads the resources list and reports whether it changed. A
// source returns the same slice while its list is unchanged.
func (l *Lockable) reload(ctx context.Context, r *request) (bool, error) {
	before := r.list
	if err := l.load(ctx, r); err != nil {
		return false, err
	}
	return len(before) != len(r.list) || len(before) > 0 && &before[0] != &r.list[0], nil
}

// load reloads the resources list: always on the first attempt, then at
// most every reloadEvery. A source asked with a done ctx gives what it has
// without waiting, or fails.
func (l *Lockable) load(ctx context.Context, r *request) error {
	if r.list != nil && (ctx.Err() != nil || time.Since(r.loadedAt) < reloadEvery) {
		return nil
	}
	list, err := l.src.Resources(ctx)
	if err != nil {
		return fmt.Errorf("load resources: %w", err)
	}
	r.list, r.loadedAt = list, time.Now()
	return nil
}

// take locks an assignment of free resources, or nothing. Resources it
// finds busy are left out and the assignment is sought again; what it
// took but no longer needs it releases before it returns.
func (l *Lockable) take(ctx context.Context, r *request, fit []*order, busy map[int]bool) ([]*Allocation, error) {
	taken := map[int]*Allocation{}
	for {
		chosen := assign(preferTaken(fit, taken), func(i int) bool { return !busy[i] })
		if chosen == nil {
			return nil, l.releaseAll(maps.Values(taken))
		}
		ok, err := l.takeAll(ctx, r, chosen, taken, busy)
		if err != nil {
			return nil, errors.Join(err, l.releaseAll(maps.Values(taken)))
		}
		if ok {
			return l.keep(r, chosen, taken)
		}
	}
}

// takeAll locks every chosen resource not yet taken; it reports false
// when one turned out busy.
func (l *Lockable) takeAll(ctx context.Context, r *request, chosen []int, taken map[int]*Allocation, busy map[int]bool) (bool, error) {
	for i, res := range chosen {
		if taken[res] != nil {
			continue
		}
		a, err := l.tryTake(ctx, r, i, r.list[res])
		if err != nil {
			return false, err
		}
		if a == nil {
			busy[res] = true
			return false, nil
		}
		taken[res] = a
	}
	return true, nil
}

// keep releases what was taken but not chosen, and returns the chosen
// allocations in requirement order.
func (l *Lockable) keep(r *request, chosen []int, taken map[int]*Allocation) ([]*Allocation, error) {
	as := make([]*Allocation, len(chosen))
	for i, res := range chosen {
		as[i] = taken[res]
		delete(taken, res)
	}
	if len(taken) > 0 { // taken but no longer needed
		if err := l.releaseAll(maps.Values(taken)); err != nil {
			return nil, errors.Join(err, l.releaseAll(slices.Values(as)))
		}
	}
	for i, a := range as {
		a.reqs = r.full[i]
		l.log.Info("allocated", "resource", a.ResourceID(), "allocation", a.ID(), "queued", a.queued, "owner", r.owner)
	}
	return as, nil
}

// preferTaken puts the resources already taken first in each order, so
// that a new assignment keeps them where it can.
func preferTaken(fit []*order, taken map[int]*Allocation) []*order {
	if len(taken) == 0 {
		return fit
	}
	out := make([]*order, len(fit))
	for i, o := range fit {
		out[i] = o.first(func(r int) bool { return taken[r] != nil })
	}
	return out
}

func (l *Lockable) releaseAll(as iter.Seq[*Allocation]) error {
	var errs []error
	for a := range as {
		errs = append(errs, l.release(a))
	}
	return errors.Join(errs...)
}

// tryTake locks res for requirement i without waiting; nil, nil when it
// is busy.
func (l *Lockable) tryTake(ctx context.Context, r *request, i int, res provider.Resource) (*Allocation, error) {
	id := res.ID()
	l.mu.Lock()
	_, mine := l.held[id]
	l.mu.Unlock()
	if mine {
		return nil, nil
	}
	a := &Allocation{owner: l, resource: res, reqs: r.full[i], id: newAllocationID()}
	a.start = time.Now()
	a.queued = a.start.Sub(r.start)
	desc, err := json.Marshal(l.holderFor(a, r.owner))
	if err != nil {
		return nil, fmt.Errorf("describe the holder of %s: %w", id, err)
	}
	lk, err := l.locks.TryLock(ctx, id, desc)
	if err != nil || lk == nil {
		return nil, err
	}
	a.lock = lk
	l.mu.Lock()
	l.held[id] = a
	l.mu.Unlock()
	return a, nil
}

func (l *Lockable) holderFor(a *Allocation, owner string) Holder {
	return Holder{
		AllocationID: a.id,
		Resource:     a.ResourceID(),
		Hostname:     l.hostname,
		User:         l.user,
		PID:          os.Getpid(),
		Since:        a.start.UTC(),
		Requirements: json.RawMessage(a.reqs.String()),
		Owner:        owner,
		Queued:       a.queued,
	}
}
