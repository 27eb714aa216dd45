package etcd

import (
	"context"
	"sync"
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

	mu      sync.Mutex
	waiters int
	cancel  context.CancelFunc // stops the running watch
	ready   chan struct{}      // closed once the watch is established
}

func newNotifier(b *backend) *notifier {
	return &notifier{b: b}
}

// watch makes sure the lock keys are watched until stop is called, and
// returns once the watch is established (or ctx is done, or the server
// does not answer in time: waiters then wake when the watch starts).
func (n *notifier) watch(ctx context.Context) (stop func()) {
	n.mu.Lock()
	n.waiters++
	if n.cancel == nil {
		var wctx context.Context
		wctx, n.cancel = context.WithCancel(context.Background())
		n.ready = make(chan struct{})
		go n.run(wctx, n.ready)
	}
	ready := n.ready
	n.mu.Unlock()
	t := time.NewTimer(n.b.timeout)
	defer t.Stop()
	select {
	case <-ready:
	case <-ctx.Done():
	case <-t.C:
		n.b.log.Warn("the etcd watch is not established yet; waiters wake when it is", "etcd", n.b.where)
	}
	return sync.OnceFunc(n.unwatch)
}

func (n *notifier) unwatch() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.waiters--
	if n.waiters == 0 && n.cancel != nil {
		n.cancel()
		n.cancel = nil
	}
}

// close stops the watch, whoever waits.
func (n *notifier) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cancel != nil {
		n.cancel()
		n.cancel = nil
	}
}

// run watches the lock keys for deletes until ctx is cancelled. When a
// watch ends (compaction, a server gone), it starts another and wakes
// the waiters, since a release may have gone unseen in between.
func (n *notifier) run(ctx context.Context, ready chan struct{}) {
	first := true
	for ctx.Err() == nil {
		wch := n.b.cli.Watch(clientv3.WithRequireLeader(ctx), n.b.prefix,
			clientv3.WithPrefix(), clientv3.WithFilterPut(), clientv3.WithCreatedNotify())
		for resp := range wch {
			switch {
			case resp.Created && first:
				first = false
				close(ready)
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
