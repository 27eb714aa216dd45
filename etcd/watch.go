package etcd

import (
	"context"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// notifier tells waiters what changed under the lab's prefix: releases
// and takes of locks, tickets joining and leaving the queue, maintenance
// records put and deleted. Changes in
// this process are told directly, all others through one watch of the
// prefix, which runs only while someone waits (or follows the lab).
type notifier struct {
	b *backend
	lockbackend.Watcher
}

func newNotifier(b *backend) *notifier {
	n := &notifier{b: b}
	n.Run = n.run
	return n
}

// close stops the watch, whoever waits, and waits until it has stopped.
func (n *notifier) close() { n.Watcher.Close() }

// run watches the prefix until ctx is cancelled. When a watch ends (a
// server gone, no leader, the watch cancelled), it starts another after a
// pause and tells everyone once it is established, since a change may
// have gone unseen in between.
func (n *notifier) run(ctx context.Context, ready func()) {
	first := true
	created := func() {
		if first {
			first = false
			ready()
			return
		}
		n.Publish(lockbackend.Event{All: true})
	}
	for ctx.Err() == nil {
		err := n.b.cli.watchKeys(ctx, n.b.root+"/", n.b.timeout, created, n.changed)
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

// changed turns a put or delete of a key into an Event.
func (n *notifier) changed(key string, deleted bool) {
	if id, ok := strings.CutPrefix(key, n.b.prefix); ok {
		n.Publish(lockbackend.Event{Resource: id, Taken: !deleted})
	} else if id, ok := strings.CutPrefix(key, n.b.queuePrefix()); ok {
		n.Publish(lockbackend.Event{Ticket: id})
	} else if id, ok := strings.CutPrefix(key, n.b.recordPrefix()); ok {
		// A maintenance record put or deleted: the resource may be out
		// of service, or back (maintenance.go).
		n.Publish(lockbackend.Event{Resource: id})
	}
}
