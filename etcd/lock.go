package etcd

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// retryPause is the pause before renewing again after a renewal failed
// (the server restarting, a leader election).
const retryPause = 100 * time.Millisecond

// TryLock creates the resource's key if it is absent, attached to a new
// lease; nil, nil when the key exists (someone holds the resource).
func (b *backend) TryLock(ctx context.Context, id string, desc []byte) (lockbackend.Lock, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	granted := time.Now()
	lease, err := b.cli.Grant(ctx, int64(b.ttl/time.Second))
	if err != nil {
		return nil, b.unreachable(err)
	}
	key := b.key(id)
	resp, err := b.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(desc), clientv3.WithLease(lease.ID))).
		Commit()
	if err != nil || !resp.Succeeded {
		// The key may exist on this lease if the reply was lost: revoking
		// the lease deletes it.
		b.revokeLater(lease.ID)
		if err != nil {
			return nil, b.unreachable(err)
		}
		return nil, nil
	}
	l := &lock{
		b: b, key: key, lease: lease.ID, token: resp.Header.Revision,
		deadline: granted.Add(time.Duration(lease.TTL) * time.Second),
		lost:     make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}),
	}
	b.track(l)
	go l.renew()
	return l, nil
}

// revokeLater revokes a lease that holds nothing, without making the
// caller wait; the lease expires by itself if this fails. Close waits for
// it.
func (b *backend) revokeLater(lease clientv3.LeaseID) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := b.bounded(context.Background())
		defer cancel()
		b.cli.Revoke(ctx, lease)
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
	lease clientv3.LeaseID
	token int64

	mu       sync.Mutex
	deadline time.Time
	released bool // by Release: the deadline no longer matters
	lostErr  error
	lost     chan struct{} // closed when lostErr is set
	stop     chan struct{} // closed by Release
	done     chan struct{} // closed when renew returns
	stopOnce sync.Once
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

// renew keeps the lease alive until Release, or until it is lost.
func (l *lock) renew() {
	defer l.b.untrack(l)
	defer close(l.done)
	interval := l.b.ttl / 3
	next := time.NewTimer(interval)
	defer next.Stop()
	for {
		l.mu.Lock()
		deadline := l.deadline
		l.mu.Unlock()
		expiry := time.NewTimer(time.Until(deadline))
		select {
		case <-l.stop:
			expiry.Stop()
			return
		case <-expiry.C:
			l.Err() // records the loss
			return
		case <-next.C:
			expiry.Stop()
		}
		pause, err := l.renewOnce(deadline)
		if err != nil {
			l.lose(err)
			return
		}
		next.Reset(pause)
	}
}

// renewOnce sends one renewal and moves the deadline; it returns when to
// renew next, or an error when the server says the lease is gone.
func (l *lock) renewOnce(deadline time.Time) (time.Duration, error) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	sent := time.Now()
	resp, err := l.b.cli.KeepAliveOnce(ctx, l.lease)
	switch {
	case errors.Is(err, rpctypes.ErrLeaseNotFound):
		return 0, fmt.Errorf("%w: etcd says the lease expired (was this process frozen, or cut off from etcd, for longer than the lease?)", lockbackend.ErrLost)
	case err != nil:
		return retryPause, nil // the deadline decides when to give up
	}
	l.mu.Lock()
	l.deadline = sent.Add(time.Duration(resp.TTL) * time.Second)
	l.mu.Unlock()
	return l.b.ttl / 3, nil
}

// Release revokes the lock's lease, which deletes the key in the same
// step if, and only if, it still carries that lease: a release that comes
// after the lock was lost leaves the next holder's key alone. (A delete
// compared on the lease, then a revoke, does the same in two writes.) It
// reports the loss when the lock had been lost.
func (l *lock) Release(ctx context.Context) error {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.done
	ctx, cancel := l.b.bounded(ctx)
	defer cancel()
	_, err := l.b.cli.Revoke(ctx, l.lease)
	l.b.notify.Signal()
	if errors.Is(err, rpctypes.ErrLeaseNotFound) {
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
		return errors.Join(lost, l.b.unreachable(err))
	}
	return lost
}
