// Package lockbackend is the seam between core's allocation and the
// mechanisms that hold locks: the lock folder (in core) and coordination
// services such as etcd (in their own modules, so that users of the lock
// folder do not pay for their clients). Everything above the seam —
// requirements, candidates, assignment, waiting, diagnostics — is the
// same for every backend.
//
// A backend other than the lock folder registers a URL scheme with
// [Register] from its package's init; core opens it by URL with [Open].
// The interfaces are internal: they change with core, so a backend module
// is released together with the lockable module.
package lockbackend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/redact"
)

// Backend holds locks on resources by id.
type Backend interface {
	// TryLock takes resource id without waiting and records desc (one
	// line of JSON describing the holder) with it. It returns nil, nil
	// when someone else holds the resource.
	TryLock(ctx context.Context, id string, desc []byte) (Lock, error)
	// Lookup tells who holds each id, as far as the backend knows.
	Lookup(ctx context.Context, ids []string) ([]Entry, error)
	// Changed returns a channel that is closed when a lock may have been
	// released since the call.
	Changed() <-chan struct{}
	// Watch makes Changed notice releases by other processes until stop
	// is called. When it returns, every later release is noticed.
	Watch(ctx context.Context) (stop func())
	// Polls reports whether some releases make no event (a crashed
	// holder's file lock), so that waiters must also try again from time
	// to time.
	Polls() bool
	// Close releases what the backend uses to reach its locks. Locks
	// still held may then be lost.
	Close() error
}

// BusyTeller is a Backend that tells which resources are held more
// cheaply than trying each: one read of a coordination service rather
// than one write per resource.
type BusyTeller interface {
	// Busy tells, for each id, whether it is held now and by whom (the
	// holder's description and token; no TTL).
	Busy(ctx context.Context, ids []string) ([]Entry, error)
}

// Observer is a Backend that can tell of every change of its locks,
// takes included, for those who follow the whole lab (core's
// Lockable.Changes); Changed tells releases only, which is all a waiter
// needs. A backend whose Changed already tells takes (the lock folder's
// watcher sees every write) need not be one.
type Observer interface {
	// Observe calls changed soon after each lock taken or released, and
	// whenever it may have missed one (a watch started again), until ctx
	// is done; then it returns. changed must not block.
	Observe(ctx context.Context, changed func())
}

// Lock is one held resource.
type Lock interface {
	// Release gives the resource back. It reports an error matching
	// ErrLost when the lock had been lost before.
	Release(ctx context.Context) error
	// Token returns the fencing token: a number that grows with every
	// allocation of the resource; 0 when the backend has none.
	Token() int64
	// Lost returns a channel closed when the lock is lost while held;
	// nil when it cannot be lost while the process lives.
	Lost() <-chan struct{}
	// Err returns nil while the lock is held, and an error matching
	// ErrLost once it was lost. It checks the lock's deadline itself, so
	// a process that was frozen learns of the loss at its first call.
	Err() error
}

// Entry is what a backend knows about one resource's lock.
type Entry struct {
	Held bool
	// Desc is the holder's description as TryLock recorded it; empty
	// when the lock says nothing (a lock taken by another tool).
	Desc []byte
	// PID is the holder's pid when the lock names one outside Desc.
	PID int
	// Token is the holder's fencing token; 0 when the backend has none.
	Token int64
	// TTL is how long the lock lasts if its holder stops renewing it; 0
	// when it does not expire.
	TTL time.Duration
}

// ErrLost: a lock was lost while it was held, because its lease expired
// (a frozen process, a partition, a server gone longer than the TTL).
var ErrLost = errors.New("lock lost")

// Opener opens a backend from its URL, connecting within ctx.
type Opener func(ctx context.Context, u *url.URL, log *slog.Logger) (Backend, error)

var (
	mu      sync.Mutex
	openers = map[string]Opener{}
)

// Register makes Open accept URLs with the given scheme. It panics when
// the scheme is registered twice, as database/sql does for drivers.
func Register(scheme string, open Opener) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := openers[scheme]; dup {
		panic("lockbackend: scheme " + scheme + " registered twice")
	}
	openers[scheme] = open
}

// packages names the package that registers each known scheme, for the
// message that says what to import.
var packages = map[string]string{"etcd": "github.com/go-lockable/lockable/etcd"}

// ErrUnknown: a backend URL whose scheme no linked package registered.
var ErrUnknown = errors.New("unknown lock backend")

// Open opens the backend that rawURL names, connecting within ctx.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (Backend, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		// Not shown: it may carry a password.
		return nil, fmt.Errorf("%w: the backend is not a URL such as etcd://host1:2379,host2:2379/prefix (leave it empty for the lock folder)", ErrUnknown)
	}
	mu.Lock()
	open := openers[u.Scheme]
	known := slices.Sorted(maps.Keys(openers))
	mu.Unlock()
	if open == nil {
		return nil, unknownScheme(redact.URL(rawURL), u.Scheme, known)
	}
	b, err := open(ctx, u, log)
	return b, redact.ForURL(rawURL).Error(err) // whatever the backend quotes

}

func unknownScheme(shown, scheme string, known []string) error {
	if pkg, ok := packages[scheme]; ok {
		return fmt.Errorf("%w %q: the %s backend is not linked into this program; import _ %q", ErrUnknown, shown, scheme, pkg)
	}
	linked := "none"
	if len(known) > 0 {
		linked = strings.Join(known, ", ")
	}
	return fmt.Errorf("%w %q: no backend for scheme %q (linked: %s)", ErrUnknown, shown, scheme, linked)
}
