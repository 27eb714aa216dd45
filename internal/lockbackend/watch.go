package lockbackend

import (
	"context"
	"sync"
	"time"
)

// Shared runs one watch of a backend's locks for as long as anyone in the
// process waits: the first Watch starts it, the last stop ends it. Close
// ends it for good and waits until it has returned. The lock folder's file
// watcher and etcd's watch of its keys both run this way.
type Shared struct {
	// Run watches until ctx is cancelled and returns then. It calls ready
	// once the watch is established, so that no later release is missed,
	// or once it knows it cannot watch (waiters then fall back on their
	// backoff).
	Run func(ctx context.Context, ready func())

	mu     sync.Mutex
	users  int
	cancel context.CancelFunc // of the run going on
	ready  chan struct{}      // closed once that run is established
	closed bool
	wg     sync.WaitGroup // the runs still returning
}

// Watch makes sure the watch runs until the returned stop is called. It
// returns once the watch is established, or ctx is done, or bound has
// passed (a slow server); established is closed once it is.
func (s *Shared) Watch(ctx context.Context, bound time.Duration) (stop func(), established <-chan struct{}) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		done := make(chan struct{})
		close(done)
		return func() {}, done
	}
	s.users++
	if s.cancel == nil {
		s.start()
	}
	ready := s.ready
	s.mu.Unlock()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-ready:
	case <-ctx.Done():
	case <-t.C:
	}
	return sync.OnceFunc(s.unwatch), ready
}

// start starts a run; s.mu is held.
func (s *Shared) start() {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	s.cancel, s.ready = cancel, ready
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		established := sync.OnceFunc(func() { close(ready) })
		defer established() // a run that ends establishes nothing more
		s.Run(ctx, established)
	}()
}

func (s *Shared) unwatch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	if s.users == 0 && s.cancel != nil {
		s.cancel() // the run returns by itself; Close waits for it
		s.cancel = nil
	}
}

// Close ends the watch, whoever waits, and waits until every run has
// returned. Watch starts nothing after it.
func (s *Shared) Close() {
	s.mu.Lock()
	s.closed = true
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.mu.Unlock()
	s.wg.Wait()
}
