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

// Interest tells whether a waiter wants an event. It is called from the
// goroutine that publishes, so it must be safe for concurrent use and
// quick.
type Interest func(Event) bool

// Events hands each event to the waiters interested in it, so that only
// those that can use a freed resource wake up. Its zero value is ready to
// use; it is safe for concurrent use.
type Events struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	interest Interest
	ch       chan struct{} // holds one pending wake-up
}

// Subscribe returns a channel that receives (at most one pending) value
// whenever an event the interest wants is published, until cancel is
// called. An All event reaches every subscriber.
func (e *Events) Subscribe(interest Interest) (changed <-chan struct{}, cancel func()) {
	s := &subscriber{interest: interest, ch: make(chan struct{}, 1)}
	e.mu.Lock()
	if e.subs == nil {
		e.subs = map[*subscriber]struct{}{}
	}
	e.subs[s] = struct{}{}
	e.mu.Unlock()
	return s.ch, sync.OnceFunc(func() {
		e.mu.Lock()
		delete(e.subs, s)
		e.mu.Unlock()
	})
}

// Publish wakes the subscribers that want ev. It never blocks: a wake-up
// still pending stands for this one too.
func (e *Events) Publish(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.subs {
		if ev.All || s.interest(ev) {
			select {
			case s.ch <- struct{}{}:
			default:
			}
		}
	}
}

// Watcher is what a backend needs to tell events to its waiters: the
// Events they subscribe to, and the Shared watch that publishes them,
// which runs while anyone subscribes. Set Run before the first Subscribe.
type Watcher struct {
	Events
	Shared
	late sync.WaitGroup // goroutines waiting for a late watch
}

// Subscribe subscribes to the events interest wants and makes sure the
// watch runs until stop is called. It returns once the watch is
// established, or ctx is done, or bound has passed; a watch established
// later publishes an Event of All, since a change may have gone unseen.
func (w *Watcher) Subscribe(ctx context.Context, bound time.Duration, interest Interest) (changed <-chan struct{}, stop func()) {
	changed, cancel := w.Events.Subscribe(interest)
	unwatch, established := w.Shared.Watch(ctx, bound)
	select {
	case <-established:
		return changed, func() { unwatch(); cancel() }
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
	return changed, sync.OnceFunc(func() {
		close(done)
		unwatch()
		cancel()
	})
}

// Close ends the watch for good and waits for what it started.
func (w *Watcher) Close() {
	w.Shared.Close()
	w.late.Wait()
}
