package etcd

import (
	"context"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"

	clientv3 "go.etcd.io/etcd/client/v3"
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
// watch ends (compaction, a server gone), it starts another and wakes the
// waiters, since a release may have gone unseen in between.
func (n *notifier) run(ctx context.Context, ready func()) {
	first := true
	for ctx.Err() == nil {
		wch := n.b.cli.Watch(clientv3.WithRequireLeader(ctx), n.b.prefix,
			clientv3.WithPrefix(), clientv3.WithFilterPut(), clientv3.WithCreatedNotify())
		for resp := range wch {
			switch {
			case resp.Created && first:
				first = false
				ready()
			case resp.Created:
				n.Signal() // a new watch: a release may have gone unseen
			case len(resp.Events) > 0:
				n.Signal()
			}
			if resp.Err() != nil {
				n.b.log.Debug("etcd watch ended", "etcd", n.b.where, "err", resp.Err())
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(retryPause):
		}
	}
}
