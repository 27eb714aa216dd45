package core

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"sync"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// Source gives the current resources list. provider.File, provider.List
// and provider.HTTP are sources. A source returns the same slice as long
// as the list has not changed, and nobody modifies it.
type Source interface {
	Resources(ctx context.Context) ([]provider.Resource, error)
}

// Lockable allocates resources from one source to one holder at a time.
// It is safe for concurrent use; its methods that wait take a context
// whose deadline is the timeout.
type Lockable struct {
	src      Source
	hostname string
	user     string
	program  string
	log      *slog.Logger
	locks    lockbackend.Backend
	cache    *candidateCache
	tickets  ticketCache

	mu   sync.Mutex
	held map[string]*Allocation // by resource id

	closed    chan struct{} // closed by Close
	closeOnce sync.Once
	wg        sync.WaitGroup // goroutines of Changes
}

// New returns a Lockable that allocates the resources of src. It creates
// the lock folder when missing and fails when it cannot; with another
// backend (WithBackend), it connects within ctx and fails when the backend
// cannot be reached. Close the Lockable when done with it.
func New(ctx context.Context, src Source, opts ...Option) (*Lockable, error) {
	if src == nil {
		return nil, fmt.Errorf("core.New: no resources source")
	}
	cfg := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.hostname == "" {
		cfg.hostname = localHostname()
	}
	locks, err := openBackend(ctx, cfg)
	if err != nil {
		return nil, err
	}
	l := &Lockable{
		src:      src,
		hostname: cfg.hostname,
		user:     userName(),
		program:  filepath.Base(os.Args[0]),
		log:      cfg.log,
		locks:    locks,
		held:     map[string]*Allocation{},
		closed:   make(chan struct{}),
	}
	l.cache = newCandidateCache(l.addDefaults)
	return l, nil
}

func openBackend(ctx context.Context, cfg config) (lockbackend.Backend, error) {
	if cfg.backend == "" {
		return openFolder(cfg.lockFolder, cfg.log)
	}
	return lockbackend.Open(ctx, cfg.backend, cfg.log)
}

// Close stops what the Lockable runs in the background (watches of the
// locks) and waits for it, and closes its connection to the backend
// (etcd); the lock folder keeps none. Release the allocations first: on
// the lock folder they stay held until released or until the process
// ends, but a lock whose lease is no longer renewed (etcd) is lost.
func (l *Lockable) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	l.wg.Wait()
	return l.locks.Close()
}

// Hostname returns the host whose resources this Lockable allocates by
// default.
func (l *Lockable) Hostname() string { return l.hostname }

// Requirements returns q with the default requirements added: the
// resource's "hostname" is this host and it is "online", unless q says
// otherwise about either field (null removes the condition).
func (l *Lockable) Requirements(q *query.Query) *query.Query {
	return l.cache.full(q)
}

func (l *Lockable) addDefaults(q *query.Query) *query.Query {
	return q.With("hostname", l.hostname).With("online", true)
}

func localHostname() string {
	name, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	return name
}

func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}
