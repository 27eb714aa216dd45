package lockbackend

import (
	"context"
	"sync"
	"time"
)

// Event says what may have changed: one resource's lock (it may have been
// released, or, with Taken, taken), one waiter's ticket (it may have
// joined or left the queue), or, when a backend cannot tell what (its
// watch restarted, events were lost), everything.
type Event struct {
	Resource string // a resource's id
	Ticket   string // a ticket's id
	// Taken: the resource's lock may have been taken, which frees
	// nothing; only those who follow the whole lab want to know.
	Taken bool
	All   bool
}

// Interest says which events a subscriber wants: every one (who follows
// the whole lab), or the releases of some resources and the leaving of
// some tickets (a waiter: what may change what the queue's rule gives
// it). A backend may watch only what its subscribers want.
type Interest struct {
	All       bool
	Resources map[string]bool // by resource id
	Tickets   map[string]bool // by ticket id
}

// Wants reports whether the interest wants ev.
func (in Interest) Wants(ev Event) bool {
	switch {
	case ev.All, in.All:
		return true
	case ev.Taken:
		return false
	case ev.Resource != "":
		return in.Resources[ev.Resource]
	}
	return in.Tickets[ev.Ticket]
}

// Subscription is one subscriber's events.
type Subscription interface {
	// Changed receives (at most one pending) value after each event
	// the interest wants.
	Changed() <-chan struct{}
	// Want replaces the interest. When it returns, every later event of
	// the new interest is seen.
	Want(Interest)
	// Stop ends the subscription.
	Stop()
}

// Events hands each event to the subscribers that want it, so that only
// those that can use a freed resource wake up. Its zero value is ready to
// use; it is safe for concurrent use.
type Events struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	e        *Events
	interest Interest      // guarded by e.mu
	ch       chan struct{} // holds one pending wake-up
	stop     func()
}

func (s *subscriber) Changed() <-chan struct{} { return s.ch }

func (s *subscriber) Want(in Interest) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.interest = in
}

func (s *subscriber) Stop() { s.stop() }

// Interest returns the subscriber's interest now.
func (s *subscriber) Interest() Interest {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.interest
}

// Subscribe subscribes to the events in wants, until Stop.
func (e *Events) Subscribe(in Interest) Subscription {
	s := &subscriber{e: e, interest: in, ch: make(chan struct{}, 1)}
	e.mu.Lock()
	if e.subs == nil {
		e.subs = map[*subscriber]struct{}{}
	}
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	s.stop = sync.OnceFunc(func() {
		e.mu.Lock()
		delete(e.subs, s)
		e.mu.Unlock()
	})
	return s
}

// Publish wakes the subscribers that want ev, and returns how many want
// it. It never blocks: a wake-up still pending stands for this one too.
func (e *Events) Publish(ev Event) (wanted int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.subs {
		if s.interest.Wants(ev) {
			wanted++
			select {
			case s.ch <- struct{}{}:
			default:
			}
		}
	}
	return wanted
}

// Watcher is what a backend needs to tell events to its subscribers: the
// Events they subscribe to, and the Shared watch that publishes them,
// which runs while anyone subscribes. Set Run before the first Subscribe.
type Watcher struct {
	Events
	Shared
	late sync.WaitGroup // goroutines waiting for a late watch
}

// Subscribe subscribes to the events in wants and makes sure the watch
// runs until Stop. It returns once the watch is established, or ctx is
// done, or bound has passed; a watch established later publishes an
// Event of All, since a change may have gone unseen.
func (w *Watcher) Subscribe(ctx context.Context, bound time.Duration, in Interest) Subscription {
	sub := w.Events.Subscribe(in)
	unwatch, established := w.Shared.Watch(ctx, bound)
	select {
	case <-established:
		return &watched{Subscription: sub, stop: sync.OnceFunc(func() { unwatch(); sub.Stop() })}
	default:
	}
	done := make(chan struct{})
	w.late.Add(1)
	go func() {
		defer w.late.Done()
		select {
		case <-established:
			w.Publish(Event{All: true})
		case <-done:
		}
	}()
	return &watched{Subscription: sub, stop: sync.OnceFunc(func() {
		close(done)
		unwatch()
		sub.Stop()
	})}
}

// watched is a subscription that also ends its share of the watch.
type watched struct {
	Subscription
	stop func()
}

func (w *watched) Stop() { w.stop() }

// Close ends the watch for good and waits for what it started.
func (w *Watcher) Close() {
	w.Shared.Close()
	w.late.Wait()
}
