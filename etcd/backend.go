package etcd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/duration"
	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/internal/redact"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

const (
	// DefaultTTL is how long a lock outlives its holder's last renewal
	// when the URL gives no ttl.
	DefaultTTL = 10 * time.Second
	// DefaultPrefix is the key prefix when the URL gives no path.
	DefaultPrefix = "/lockable"
	// defaultPort is etcd's client port, for hosts given without one.
	defaultPort = "2379"
	// DefaultTimeout bounds one request to etcd when the URL gives no
	// timeout: connecting, reading, writing.
	DefaultTimeout = 5 * time.Second
)

func init() { lockbackend.Register("etcd", open) }

// settings is what a backend URL says.
type settings struct {
	endpoints []string
	prefix    string // keys are prefix + "/res/" + resource id
	ttl       time.Duration
	timeout   time.Duration
	user      string
	password  string
}

// parseURL reads etcd://[user:password@]host1[:port],host2[:port]/prefix?ttl=10s&timeout=5s.
func parseURL(u *url.URL) (settings, error) {
	s := settings{prefix: DefaultPrefix, ttl: DefaultTTL, timeout: DefaultTimeout}
	for host := range strings.SplitSeq(u.Host, ",") {
		if host == "" {
			return settings{}, fmt.Errorf("an empty host in %q", u.Host)
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(host, defaultPort)
		}
		s.endpoints = append(s.endpoints, host)
	}
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		s.prefix = p
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	for key, values := range u.Query() {
		v := values[len(values)-1]
		var err error
		switch key {
		case "ttl":
			s.ttl, err = parseTTL(v)
		case "timeout":
			s.timeout, err = parseTimeout(v)
		default:
			err = fmt.Errorf("unknown parameter %q: the parameters are ttl and timeout (such as ttl=10s&timeout=5s)", key)
		}
		if err != nil {
			return settings{}, err
		}
	}
	return s, nil
}

// parseTimeout reads the bound of one request: a positive duration.
func parseTimeout(v string) (time.Duration, error) {
	d, err := duration.Parse(v)
	if err == nil && d <= 0 {
		err = errors.New("is not positive")
	}
	if err != nil {
		return 0, fmt.Errorf("timeout %q %v (such as 5s)", v, err)
	}
	return d, nil
}

// parseTTL reads a lease time, at least 1s; etcd counts leases in whole
// seconds, so it is rounded up.
func parseTTL(v string) (time.Duration, error) {
	d, err := duration.Parse(v)
	if err != nil {
		return 0, fmt.Errorf("ttl %q %v (such as 10s)", v, err)
	}
	if d < time.Second {
		return 0, fmt.Errorf("ttl %q is shorter than etcd's smallest lease, 1s", v)
	}
	return time.Duration(math.Ceil(d.Seconds())) * time.Second, nil
}

// backend holds locks as keys in etcd, one per resource, each attached
// to a lease of its own.
type backend struct {
	cli     *clientv3.Client
	where   string // the endpoints, for messages
	prefix  string // prefix + "/res/"
	ttl     time.Duration
	timeout time.Duration
	log     *slog.Logger
	notify  *notifier

	mu       sync.Mutex
	renewing map[*lock]bool // held locks, whose renewals run
	wg       sync.WaitGroup // renewals, and revokes of leases that hold nothing
}

// open connects to the etcd cluster u names and checks that it answers,
// within ctx.
func open(ctx context.Context, u *url.URL, log *slog.Logger) (lockbackend.Backend, error) {
	s, err := parseURL(u)
	if err != nil {
		return nil, fmt.Errorf("lock backend %s: %w", redact.URL(u.String()), err)
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   s.endpoints,
		DialTimeout: s.timeout,
		Username:    s.user,
		Password:    s.password,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("lock backend %s: %w", redact.URL(u.String()), err)
	}
	b := &backend{cli: cli, where: strings.Join(s.endpoints, ","), prefix: s.prefix + "/res/", ttl: s.ttl, timeout: s.timeout, log: log,
		renewing: map[*lock]bool{}}
	b.notify = newNotifier(b)
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	if _, err := cli.Get(ctx, b.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil {
		cli.Close()
		return nil, b.unreachable(err)
	}
	return b, nil
}

// unreachable explains a failed request.
func (b *backend) unreachable(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("etcd at %s did not answer within %s (is it running, and is this its client port?): %w", b.where, b.timeout, err)
	}
	return fmt.Errorf("etcd at %s: %w", b.where, err)
}

func (b *backend) key(id string) string { return b.prefix + id }

// bounded gives a request its own time limit within ctx.
func (b *backend) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.timeout)
}

// held reads every lock key in one request, by resource id.
func (b *backend) held(ctx context.Context, opts ...clientv3.OpOption) (map[string]*lockKey, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	resp, err := b.cli.Get(ctx, b.prefix, append(opts, clientv3.WithPrefix())...)
	if err != nil {
		return nil, b.unreachable(err)
	}
	out := make(map[string]*lockKey, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		out[strings.TrimPrefix(string(kv.Key), b.prefix)] = &lockKey{value: kv.Value, token: kv.CreateRevision, lease: clientv3.LeaseID(kv.Lease)}
	}
	return out, nil
}

// lockKey is one lock key as read.
type lockKey struct {
	value []byte
	token int64
	lease clientv3.LeaseID
}

// Busy tells which ids are held and by whom, in one read.
func (b *backend) Busy(ctx context.Context, ids []string) ([]lockbackend.Entry, error) {
	keys, err := b.held(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]lockbackend.Entry, len(ids))
	for i, id := range ids {
		if k := keys[id]; k != nil {
			out[i] = lockbackend.Entry{Held: true, Desc: k.value, Token: k.token}
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
		k := keys[id]
		if k == nil {
			continue
		}
		out[i] = lockbackend.Entry{Held: true, Desc: k.value, Token: k.token}
		if out[i].TTL, err = b.timeLeft(ctx, k.lease); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// timeLeft asks how long a lease has left; 0 when it is gone.
func (b *backend) timeLeft(ctx context.Context, lease clientv3.LeaseID) (time.Duration, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	resp, err := b.cli.TimeToLive(ctx, lease)
	if err != nil {
		return 0, b.unreachable(err)
	}
	return time.Duration(max(resp.TTL, 0)) * time.Second, nil
}

// Changed returns a channel closed at the next release seen.
func (b *backend) Changed() <-chan struct{} { return b.notify.Changed() }

// Watch watches the lock keys for releases until stop is called.
func (b *backend) Watch(ctx context.Context) (stop func()) { return b.notify.watch(ctx) }

// Polls is false: every release deletes a key, expiry included, and the
// watch sees every delete.
func (b *backend) Polls() bool { return false }

// Close stops the watch, stops renewing the leases of locks still held
// (they are lost when their leases run out, and told so), waits for
// what it started, and closes the connection.
func (b *backend) Close() error {
	b.notify.close()
	b.mu.Lock()
	for l := range b.renewing {
		l.lose(fmt.Errorf("%w: the Lockable was closed while it held the lock", lockbackend.ErrLost))
		l.stopOnce.Do(func() { close(l.stop) })
	}
	b.mu.Unlock()
	b.wg.Wait()
	return b.cli.Close()
}
