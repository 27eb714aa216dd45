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
	id       string         // orders its visits of resources before it has a ticket
	reqs     []*query.Query // as given
	full     []*query.Query // with defaults
	owner    string
	priority int
	start    time.Time
	list     []provider.Resource
	loadedAt time.Time
	fit      [][]int   // the resources of list that each requirement fits
	looked   time.Time // the last attempt
	backoff  time.Duration
	// seen is what the backend last told of the fitting resources' locks,
	// by resource id, for the timeout's explanation.
	seen map[string]lockbackend.Entry

	// While it waits: its ticket, the list its ticket describes, the
	// events it is told of and what they are, its competition when it
	// last looked, and whether that made it watch more (then it looks
	// again before it waits: what changed before the watch went unseen).
	ticket      lockbackend.Ticket
	ticketList  []provider.Resource
	sub         lockbackend.Subscription
	interest    lockbackend.Interest
	competition *competition
	grew        bool
	// care is lab care's part of the request: checks, resources left out
	// (care.go). Lab care hook.
	care care
}

// safetyEvery paces a waiter's looks without an event, where its
// backend tells every release: a net for an event that never came.
const safetyEvery = 5 * time.Second

func (l *Lockable) acquire(ctx context.Context, qs []*query.Query, cfg lockConfig, wait bool) ([]*Allocation, error) {
	r := &request{id: newAllocationID(), reqs: qs, owner: cfg.owner, priority: cfg.priority, start: time.Now(), backoff: minBackoff}
	r.care.careConfig = cfg.care // lab care hook: the call's checks
	r.full = make([]*query.Query, len(qs))
	for i, q := range qs {
		r.full[i] = l.Requirements(q)
	}
	defer l.leave(r)
	for {
		// Lab care hook: attempt, then health checks and a last look at
		// maintenance before handing over (care.go).
		as, err := l.attemptCared(ctx, r)
		switch {
		case err != nil && r.list != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return nil, l.gaveUp(ctx, r, ctx.Err()) // the deadline, not the backend
		case as != nil || err != nil:
			return as, err
		case !wait:
			return nil, nil
		case ctx.Err() != nil:
			return nil, l.gaveUp(ctx, r, ctx.Err())
		case r.ticket == nil:
			// Watch and queue, then look once more: a release between the
			// attempt and the watch would otherwise go unnoticed.
			if err := l.enqueue(ctx, r); err != nil {
				if ctx.Err() != nil {
					return nil, l.gaveUp(ctx, r, ctx.Err())
				}
				return nil, err
			}
			l.log.Info("waiting: every fitting resource is held or due to a waiter ahead", "requirements", requirementsText(r.full),
				"owner", r.owner, "priority", r.priority, "ticket", r.ticket.ID(), "ahead", len(r.ahead()))
			continue
		}
		if r.grew {
			continue
		}
		if err := l.wait(ctx, r); err != nil {
			return nil, l.gaveUp(ctx, r, err)
		}
	}
}

// enqueue subscribes r to the events that may serve it and puts it in
// the queue.
func (l *Lockable) enqueue(ctx context.Context, r *request) error {
	if r.sub == nil {
		r.sub = l.locks.Subscribe(ctx, r.interest)
	}
	desc, err := l.describeWaiter(r, r.fit)
	if err != nil {
		return err
	}
	t, err := l.locks.Enqueue(ctx, r.priority, desc)
	if err != nil {
		return fmt.Errorf("queue for %s: %w", requirementsText(r.full), err)
	}
	r.ticket, r.ticketList = t, r.list
	return nil
}

// leave takes r out of the queue and stops its events.
func (l *Lockable) leave(r *request) {
	if r.ticket != nil {
		if err := r.ticket.Leave(); err != nil {
			l.log.Warn("cannot leave the queue", "ticket", r.ticket.ID(), "err", err)
		}
	}
	if r.sub != nil {
		r.sub.Stop()
	}
}

// compete records r's competition, and what may change what r can have:
// a release of a resource that r or a waiter it competes with fits, a
// waiter ahead of it leaving, or the end of a maintenance that keeps a
// resource it fits out. It tells r's subscription, and notes when that
// watches something new.
func (r *request) compete(c *competition) {
	r.competition = c
	in := lockbackend.Interest{Resources: c.resources, Tickets: c.tickets}
	if back := r.care.returning(r.list); len(back) > 0 { // lab care hook (care.go)
		in.Resources = maps.Clone(c.resources)
		for _, id := range back {
			in.Resources[id] = true
		}
	}
	r.grew = false
	if r.sub != nil {
		r.grew = !subset(in.Resources, r.interest.Resources) || !subset(in.Tickets, r.interest.Tickets)
		r.sub.Want(in)
	}
	r.interest = in
}

// subset reports whether every key of a is in b.
func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// ahead returns the waiters ahead of r that it competes with, as it last
// looked.
func (r *request) ahead() []Waiter {
	if r.competition != nil {
		return r.competition.ahead
	}
	return nil
}

// wait pauses until an event may have served r or ctx is done. A backend
// that polls is also looked at again after a backoff; one that does not
// is looked at again when the resources list changes, and, as a safety
// net, every safetyEvery.
func (l *Lockable) wait(ctx context.Context, r *request) error {
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
		case <-r.sub.Changed():
			t.Stop()
			r.backoff = minBackoff
			return nil
		case <-t.C:
			r.backoff = min(2*r.backoff, maxBackoff)
		case <-r.care.windowEnd(): // lab care hook: a maintenance window waited for ends (care.go)
			t.Stop()
			return nil
		}
		if l.locks.Polls() || time.Since(r.looked) >= safetyEvery {
			return nil
		}
		if changed, err := l.reload(ctx, r); changed || err != nil {
			return err
		}
	}
}

// attempt tries once to take a resource for every requirement, as the
// queue's rule allows. It returns nil, nil when r must wait.
func (l *Lockable) attempt(ctx context.Context, r *request) ([]*Allocation, error) {
	if err := l.load(ctx, r); err != nil {
		return nil, err
	}
	r.looked = time.Now()
	fit := make([][]int, len(r.reqs))
	for i, q := range r.reqs {
		fit[i] = l.cache.fitting(r.list, q)
	}
	// Lab care hook: resources in maintenance, or that failed a health
	// check in this call, do not fit now (care.go).
	if err := l.leaveOut(ctx, r, fit); err != nil {
		return nil, err
	}
	if assign(orders(fit, inOrder), func(int) bool { return true }) == nil {
		return nil, l.notFound(r, fit)
	}
	r.fit = fit
	if err := l.redescribe(ctx, r); err != nil {
		return nil, err
	}
	entries, err := l.locks.Tickets(ctx)
	if err != nil {
		return nil, err
	}
	c := l.compete(r, entries, fit)
	r.compete(&c)
	if r.ticket != nil && !c.queued {
		// Its ticket is gone (its lease expired, the queue's folder was
		// removed): it queues again, at the back.
		l.log.Warn("the waiter's ticket left the queue; queueing again", "ticket", r.ticket.ID())
		r.ticket.Leave()
		r.ticket = nil
	}
	if len(c.queue) == 1 { // no other waiter wants what r fits
		busy, err := l.busy(ctx, r, fit)
		if err != nil {
			return nil, err
		}
		r.care.markBusy(busy) // lab care hook: a maintenance window that ends before the deadline is waited for
		return l.take(ctx, r, orders(fit, randomOrder), busy)
	}
	return l.takeInTurn(ctx, r, &c)
}

// redescribe rewrites r's ticket when the resources list changed since it
// was written, so that other waiters see what r fits now.
func (l *Lockable) redescribe(ctx context.Context, r *request) error {
	if r.ticket == nil || sameList(r.ticketList, r.list) {
		return nil
	}
	desc, err := l.describeWaiter(r, r.fit)
	if err != nil {
		return err
	}
	if err := r.ticket.Update(ctx, desc); err != nil {
		return fmt.Errorf("queue for %s: %w", requirementsText(r.full), err)
	}
	r.ticketList = r.list
	return nil
}

// maxTurns bounds how often takeInTurn asks the rule again after a
// resource it was given turned out busy (taken by one that does not
// queue, or by a waiter that saw the queue a moment earlier).
const maxTurns = 4

// takeInTurn takes the resources the queue's rule gives r, when they are
// all it needs; otherwise nil, nil.
func (l *Lockable) takeInTurn(ctx context.Context, r *request, c *competition) ([]*Allocation, error) {
	free, busy, err := l.freeness(ctx, r, c)
	if err != nil {
		return nil, err
	}
	r.care.markOut(free) // lab care hook: out of service is not free, for anyone in the queue
	ids := func(i int) string { return r.list[i].ID() }
	for range maxTurns {
		chosen := arbitrate(c.queue, c.self, ids, free.free)
		if free.err != nil {
			return nil, free.err
		}
		if chosen == nil {
			return nil, nil
		}
		taken := map[int]*Allocation{}
		ok, err := l.takeAll(ctx, r, chosen, taken, busy)
		if err != nil || ok {
			if err != nil {
				return nil, errors.Join(err, l.releaseAll(maps.Values(taken)))
			}
			return l.keep(r, chosen, taken)
		}
		if err := l.releaseAll(maps.Values(taken)); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// freeness tells which resources of r's competition are free: a backend
// that tells cheaply is asked of them all at once, the lock folder of each
// as the rule needs to know.
func (l *Lockable) freeness(ctx context.Context, r *request, c *competition) (*lazyFree, map[int]bool, error) {
	busy := map[int]bool{}
	f := &lazyFree{busy: busy, looked: map[int]bool{}}
	r.seen = map[string]lockbackend.Entry{}
	if teller, ok := l.locks.(lockbackend.BusyTeller); ok {
		index := l.tickets.index(r.list)
		ids := make([]string, 0, len(c.resources))
		for id := range c.resources {
			ids = append(ids, id)
		}
		entries, err := teller.Busy(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		for k, e := range entries {
			i := index[ids[k]]
			f.looked[i] = true
			if e.Held {
				busy[i] = true
				r.seen[ids[k]] = e
			}
		}
		return f, busy, nil
	}
	f.look = func(i int) (lockbackend.Entry, error) {
		es, err := l.locks.Lookup(ctx, []string{r.list[i].ID()})
		if err != nil {
			return lockbackend.Entry{}, err
		}
		if es[0].Held {
			r.seen[r.list[i].ID()] = es[0]
		}
		return es[0], nil
	}
	return f, busy, nil
}

// lazyFree looks at a resource's lock the first time the rule asks.
type lazyFree struct {
	busy   map[int]bool
	looked map[int]bool
	look   func(int) (lockbackend.Entry, error) // nil when all were looked at
	err    error                                // the first look that failed
}

func (f *lazyFree) free(i int) bool {
	if !f.looked[i] && f.look != nil {
		f.looked[i] = true
		e, err := f.look(i)
		if err != nil && f.err == nil {
			f.err = err
		}
		f.busy[i] = e.Held || err != nil
	}
	return !f.busy[i]
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
