package core

import (
	"context"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
)

// Changes returns a channel that receives a value soon after the lab may
// have changed: a lock taken or released, here or by another process
// or host, or a new resources list. Values are coalesced, so one
// receive may stand for many changes, and a receive may find nothing
// changed; the receiver then asks Status. The channel is closed when ctx
// is done or the Lockable is closed.
//
// Watching costs what waiting does: the lock folder's file watcher, or
// the backend's watch (on etcd, a second one, of the keys' puts too),
// runs while a Changes channel is open. A release that makes no event (a
// crashed holder's lock, where the system tells no one) and a changed
// resources list, or one that cannot be read any more (or can again), are
// noticed within a second.
func (l *Lockable) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	select {
	case <-l.closed:
		close(out)
		return out
	default:
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer close(out)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-l.closed:
				cancel()
			case <-ctx.Done():
			}
		}()
		l.watchChanges(ctx, out)
	}()
	return out
}

func (l *Lockable) watchChanges(ctx context.Context, out chan<- struct{}) {
	tell := func() {
		select {
		case out <- struct{}{}:
		default: // a value not yet received stands for this one too
		}
	}
	if obs, ok := l.locks.(lockbackend.Observer); ok {
		var observing sync.WaitGroup
		observing.Go(func() { obs.Observe(ctx, tell) }) // takes, which Changed does not tell
		defer observing.Wait()
	}
	stop := l.locks.Watch(ctx)
	defer stop()
	list, err := l.src.Resources(ctx)
	tick := time.NewTicker(reloadEvery)
	defer tick.Stop()
	for {
		changed := l.locks.Changed()
		select {
		case <-ctx.Done():
			return
		case <-changed:
			tell()
		case <-tick.C:
			now, nowErr := l.src.Resources(ctx)
			if newList(list, err, now, nowErr) || l.locks.Polls() {
				tell()
			}
			list, err = now, nowErr
		}
	}
}

// newList reports whether a reload of the resources list changed what it
// gives: another list, or a list that could not be read before or cannot
// now.
func newList(before []provider.Resource, beforeErr error, now []provider.Resource, nowErr error) bool {
	if (beforeErr != nil) != (nowErr != nil) {
		return true
	}
	return nowErr == nil && !sameList(before, now)
}
