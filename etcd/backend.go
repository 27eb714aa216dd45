package etcd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/internal/redact"
)

func init() { lockbackend.Register("etcd", open) }

// backend holds locks as keys in etcd, one per resource, each attached
// to a lease of its own.
type backend struct {
	cli     *client
	where   string // the endpoints, for messages
	root    string // the lab's prefix
	prefix  string // root + "/res/": the locks
	ttl     time.Duration
	timeout time.Duration
	log     *slog.Logger
	notify  *notifier

	mu       sync.Mutex
	renewing map[*lock]bool // held locks, whose renewals run
	wg       sync.WaitGroup // renewals, and revokes of leases that hold nothing
}

// open makes a client of the etcd cluster u names and checks that it
// answers, within ctx.
func open(ctx context.Context, u *url.URL, log *slog.Logger) (lockbackend.Backend, error) {
	s, err := parseURL(u)
	if err != nil {
		return nil, fmt.Errorf("lock backend %s: %w", redact.URL(u.String()), err)
	}
	b := &backend{cli: newClient(s), where: strings.Join(s.endpoints, ","), root: s.prefix, prefix: s.prefix + "/res/", ttl: s.ttl, timeout: s.timeout, log: log,
		renewing: map[*lock]bool{}}
	b.notify = newNotifier(b)
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	if _, err := b.cli.countPrefix(ctx, b.prefix); err != nil {
		b.cli.close()
		return nil, b.unreachable(ctx, err)
	}
	return b, nil
}

// unreachable explains a request that failed; ctx is the request's
// (bounded). It names the bound that ended it, the request's own or the
// caller's deadline (--timeout, say), whichever came first.
func (b *backend) unreachable(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		within := "within " + b.timeout.String()
		if ctx.Err() != nil && !errors.Is(context.Cause(ctx), errRequestBound) {
			within = "before the caller's deadline"
		}
		return fmt.Errorf("etcd at %s did not answer %s (is it running, and is this its client port?): %w", b.where, within, err)
	}
	return fmt.Errorf("etcd at %s: %w", b.where, err)
}

func (b *backend) key(id string) string { return b.prefix + id }

// bounded gives a request its own time limit within ctx; its end has the
// cause errRequestBound, so that unreachable can tell it from the
// caller's deadline.
func (b *backend) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, b.timeout, errRequestBound)
}

// errRequestBound is the cause of a request's own time limit.
var errRequestBound = errors.New("the request's time limit")

// held reads every lock key in one request, by resource id.
func (b *backend) held(ctx context.Context) (map[string]keyValue, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	kvs, err := b.cli.rangePrefix(ctx, b.prefix)
	if err != nil {
		return nil, b.unreachable(ctx, err)
	}
	out := make(map[string]keyValue, len(kvs))
	for _, kv := range kvs {
		out[strings.TrimPrefix(string(kv.Key), b.prefix)] = kv
	}
	return out, nil
}

// Busy tells which ids are held and by whom, in one read.
func (b *backend) Busy(ctx context.Context, ids []string) ([]lockbackend.Entry, error) {
	keys, err := b.held(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]lockbackend.Entry, len(ids))
	for i, id := range ids {
		if k, ok := keys[id]; ok {
			out[i] = lockbackend.Entry{Held: true, Desc: k.Value, Token: k.CreateRevision}
		}
	}
	return out, nil
}

// Lookup tells who holds each id, with the fencing token and the lease
// time left.
func (b *backend) Lookup(ctx context.Context, ids []string) ([]lockbackend.Entry, error) {
	keys, err := b.held(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]lockbackend.Entry, len(ids))
	for i, id := range ids {
		k, ok := keys[id]
		if !ok {
			continue
		}
		out[i] = lockbackend.Entry{Held: true, Desc: k.Value, Token: k.CreateRevision}
		if out[i].TTL, err = b.timeLeft(ctx, k.Lease); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// timeLeft asks how long a lease has left; 0 when it is gone.
func (b *backend) timeLeft(ctx context.Context, lease int64) (time.Duration, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	ttl, err := b.cli.timeToLive(ctx, lease)
	if err != nil {
		return 0, b.unreachable(ctx, err)
	}
	return ttl, nil
}

// Subscribe watches the lab's keys until stop: releases, and the queue.
func (b *backend) Subscribe(ctx context.Context, in lockbackend.Interest) lockbackend.Subscription {
	return b.notify.Subscribe(ctx, b.timeout, in)
}

// Polls is false: every release deletes a key, expiry included, and the
// watch sees every delete.
func (b *backend) Polls() bool { return false }

// Close stops the watch, stops renewing the leases of locks still held
// (they are lost when their leases run out, and told so), waits for
// what it started, and closes the idle connections.
func (b *backend) Close() error {
	b.notify.close()
	b.mu.Lock()
	for l := range b.renewing {
		l.lose(fmt.Errorf("%w: the Lockable was closed while it held the lock", lockbackend.ErrLost))
		l.stop()
	}
	b.mu.Unlock()
	b.wg.Wait()
	b.cli.close()
	return nil
}
