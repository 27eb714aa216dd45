package etcd

import (
	"context"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// notifier wakes waiters when a lock key is deleted: by a release in this
// process directly, by any other through one watch on the lock keys,
// which runs only while someone waits.
type notifier struct {
	b *backend

	lockbackend.Broadcast
	shared lockbackend.Shared
}

func newNotifier(b *backend) *notifier {
	n := &notifier{b: b}
	n.shared.Run = n.run
	return n
}

// watch makes sure the lock keys are watched until stop is called, and
// returns once the watch is established (or ctx is done, or the server
// does not answer in time: waiters then wake when the watch starts).
func (n *notifier) watch(ctx context.Context) (stop func()) {
	return n.shared.Watch(ctx, n.b.timeout)
}

// close stops the watch, whoever waits, and waits until it has stopped.
func (n *notifier) close() { n.shared.Close() }

// run watches the lock keys for deletes until ctx is cancelled. When a
// watch ends (a server gone, no leader, the watch cancelled), it starts
// another after a pause and wakes the waiters once it is established,
// since a release may have gone unseen in between.
func (n *notifier) run(ctx context.Context, ready func()) {
	first := true
	created := func() {
		if first {
			first = false
			ready()
			return
		}
		n.Signal() // a new watch: a release may have gone unseen
	}
	for ctx.Err() == nil {
		err := n.b.cli.watchDeletes(ctx, n.b.prefix, n.b.timeout, created, n.Signal)
		if ctx.Err() == nil {
			n.b.log.Debug("etcd watch ended", "etcd", n.b.where, "err", err)
		}
		pause := time.NewTimer(retryPause)
		select {
		case <-ctx.Done():
			pause.Stop()
		case <-pause.C:
		}
	}
}

// Observe calls changed at every lock taken or released, through a watch
// of puts and deletes of the lock keys of its own, until ctx is done; and
// whenever a watch starts again, since a change may have gone unseen in
// between. Only those who follow the whole lab (Lockable.Changes) run it:
// a waiter's watch leaves the puts out.
func (b *backend) Observe(ctx context.Context, changed func()) {
	for ctx.Err() == nil {
		err := b.cli.watchAll(ctx, b.prefix, b.timeout, changed, changed)
		if ctx.Err() == nil {
			b.log.Debug("etcd watch of every change ended", "etcd", b.where, "err", err)
		}
		pause := time.NewTimer(retryPause)
		select {
		case <-ctx.Done():
			pause.Stop()
		case <-pause.C:
		}
	}
}
