package core

import (
	"context"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
)

// Changes returns a channel that receives a value at once, and then soon
// after the lab may have changed: a lock taken or released, a waiter
// queued or gone, here or in another process or host, or a new resources
// list. Values are coalesced, so one receive may stand for many changes,
// and a receive may find nothing changed; the receiver then asks Status.
// The channel is closed when ctx is done or the Lockable is closed.
//
// Watching costs what waiting does: the lock folder's file watcher, or
// the backend's watch, runs while a Changes channel is open. A changed
// resources list, or one that cannot be read any more (or can again), is
// noticed within a second, and so is a release that makes no event where
// the system does not tell of a dead holder's files being closed
// (systems other than Linux).
func (l *Lockable) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	out <- struct{}{} // the lab as it is now
	select {
	case <-l.closed:
		<-out
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
	sub := l.locks.Subscribe(ctx, lockbackend.Interest{All: true})
	defer sub.Stop()
	tell := func() {
		select {
		case out <- struct{}{}:
		default: // a value not yet received stands for this one too
		}
	}
	list, err := l.src.Resources(ctx)
	tell() // the watch and the list are in place: what changed before is seen now
	tick := time.NewTicker(reloadEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Changed():
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
