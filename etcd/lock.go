package etcd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// retryPause is the pause before trying again after a request failed
// (the server restarting, a leader election).
const retryPause = 100 * time.Millisecond

// TryLock creates the resource's key if it is absent, attached to a new
// lease; nil, nil when the key exists (someone holds the resource).
func (b *backend) TryLock(ctx context.Context, id string, desc []byte) (lockbackend.Lock, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	granted := time.Now()
	lease, ttl, err := b.cli.grant(ctx, b.ttl)
	if err != nil {
		return nil, b.unreachable(ctx, err)
	}
	key := b.key(id)
	created, revision, err := b.cli.createIfAbsent(ctx, key, desc, lease)
	if err != nil || !created {
		// The key may exist on this lease if the reply was lost: revoking
		// the lease deletes it.
		b.revokeLater(lease)
		if err != nil {
			return nil, b.unreachable(ctx, err)
		}
		return nil, nil
	}
	return b.start(key, lease, revision, granted.Add(ttl)), nil
}

// start tracks a lock just taken and starts renewing it.
func (b *backend) start(key string, lease, token int64, deadline time.Time) *lock {
	ctx, stop := context.WithCancel(context.Background())
	l := &lock{b: b, key: key, lease: lease, token: token, deadline: deadline,
		lost: make(chan struct{}), stop: stop, done: make(chan struct{})}
	b.track(l)
	go l.renew(ctx)
	return l
}

// revokeLater revokes a lease that holds nothing, without making the
// caller wait; the lease expires by itself if this fails. Close waits for
// it.
func (b *backend) revokeLater(lease int64) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := b.bounded(context.Background())
		defer cancel()
		_ = b.cli.revoke(ctx, lease)
	}()
}

// track records a held lock, whose renewal Close must stop.
func (b *backend) track(l *lock) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wg.Add(1)
	b.renewing[l] = true
}

// untrack forgets a lock whose renewal has stopped.
func (b *backend) untrack(l *lock) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.renewing[l] {
		delete(b.renewing, l)
		b.wg.Done()
	}
}

// lock is one held key. The lease is renewed every third of its TTL;
// deadline is the latest time the lease is known to be alive (the time a
// renewal was sent plus the TTL the server granted), so the holder never
// believes it holds the lock longer than the server keeps it.
type lock struct {
	b     *backend
	key   string
	lease int64
	token int64

	mu       sync.Mutex
	deadline time.Time
	released bool // by Release: the deadline no longer matters
	lostErr  error
	lost     chan struct{}      // closed when lostErr is set
	stop     context.CancelFunc // stops the renewal, and a renewal in flight
	done     chan struct{}      // closed when renew returns
}

// event is what the lock's release tells waiters in this process.
func (l *lock) event() lockbackend.Event {
	if id, ok := strings.CutPrefix(l.key, l.b.prefix); ok {
		return lockbackend.Event{Resource: id}
	}
	return lockbackend.Event{Ticket: strings.TrimPrefix(l.key, l.b.queuePrefix())}
}

// Token is the key's create revision: larger for every later lock of
// the resource, across the cluster.
func (l *lock) Token() int64 { return l.token }

// Lost returns a channel closed when the lease is lost.
func (l *lock) Lost() <-chan struct{} { return l.lost }

// Err reports the loss, checking the deadline first: a process that was
// frozen past it learns at once, before its renewal could tell it.
func (l *lock) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lostErr == nil && !l.released && !time.Now().Before(l.deadline) {
		l.loseLocked(fmt.Errorf("%w: the lease was not renewed before it expired at %s", lockbackend.ErrLost, l.deadline.Format(time.TimeOnly+".000")))
	}
	return l.lostErr
}

func (l *lock) lose(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loseLocked(err)
}

func (l *lock) loseLocked(err error) {
	if l.lostErr == nil {
		l.lostErr = err
		close(l.lost)
	}
}

func (l *lock) currentDeadline() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.deadline
}

// renew keeps the lease alive until ctx is cancelled (Release, Close), or
// until it is lost.
func (l *lock) renew(ctx context.Context) {
	defer l.b.untrack(l)
	defer close(l.done)
	next := time.NewTimer(l.b.ttl / 3)
	defer next.Stop()
	for {
		deadline := l.currentDeadline()
		expiry := time.NewTimer(time.Until(deadline))
		select {
		case <-ctx.Done():
			expiry.Stop()
			return
		case <-expiry.C:
			l.Err() // records the loss
			return
		case <-next.C:
			expiry.Stop()
		}
		pause, err := l.renewOnce(ctx, deadline)
		if err != nil {
			l.lose(err)
			return
		}
		next.Reset(pause)
	}
}

// renewOnce sends one renewal, bounded by the deadline and the timeout,
// and moves the deadline; it returns when to renew next, or an error when
// the server says the lease is gone.
func (l *lock) renewOnce(ctx context.Context, deadline time.Time) (time.Duration, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	ctx, cancelBound := l.b.bounded(ctx)
	defer cancelBound()
	sent := time.Now()
	ttl, err := l.b.cli.keepAlive(ctx, l.lease)
	switch {
	case errors.Is(err, errLeaseNotFound):
		return 0, fmt.Errorf("%w: etcd says the lease expired (was this process frozen, or cut off from etcd, for longer than the lease?)", lockbackend.ErrLost)
	case err != nil:
		return retryPause, nil // the deadline decides when to give up
	}
	l.mu.Lock()
	l.deadline = sent.Add(ttl)
	l.mu.Unlock()
	return l.b.ttl / 3, nil
}

// Release revokes the lock's lease, which deletes the key in the same
// step if, and only if, it still carries that lease: a release that comes
// after the lock was lost leaves the next holder's key alone. (A delete
// compared on the lease, then a revoke, does the same in two writes.) It
// reports the loss when the lock had been lost.
func (l *lock) Release(ctx context.Context) error {
	l.stop()
	<-l.done
	ctx, cancel := l.b.bounded(ctx)
	defer cancel()
	err := l.b.cli.revoke(ctx, l.lease)
	l.b.notify.Publish(l.event())
	if errors.Is(err, errLeaseNotFound) {
		// Gone before its release: expired or revoked, and not yet seen.
		l.lose(fmt.Errorf("%w: etcd says the lease had expired before the release", lockbackend.ErrLost))
		err = nil
	}
	lost := l.Err()
	l.mu.Lock()
	l.released = true
	l.mu.Unlock()
	if err != nil {
		// The lease expires by itself within its TTL.
		return errors.Join(lost, l.b.unreachable(ctx, err))
	}
	return lost
}
