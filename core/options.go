package core

import (
	"log/slog"
)

// Option configures a Lockable made by New.
type Option interface{ apply(*config) }

type config struct {
	hostname   string
	lockFolder string
	backend    string
	log        *slog.Logger
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithHostname sets the host whose resources are allocatable by default
// (the "hostname" default requirement). The default is os.Hostname.
func WithHostname(name string) Option {
	return optionFunc(func(c *config) { c.hostname = name })
}

// WithLockFolder sets the folder of the lock files; it is created when
// missing. The default, DefaultLockFolder, is the user's own: jobs of
// several users, and the Python lockable, share locks only in a folder
// given to all of them. A folder that every user may write to must have
// the sticky bit (as /tmp has), and lock files in it must then belong to
// the user; New refuses a folder without it.
func WithLockFolder(dir string) Option {
	return optionFunc(func(c *config) { c.lockFolder = dir })
}

// WithBackend selects the lock backend by URL. The empty URL, the
// default, is the lock folder (see WithLockFolder). A coordination
// service shares one lab among many hosts:
//
//	etcd://host1:2379,host2:2379/optional/prefix?ttl=10s
//
// holds locks in etcd, on leases that expire ttl after their holder
// stops renewing them. A scheme other than the lock folder's must be
// linked into the program by importing its package, as database/sql
// drivers are:
//
//	import _ "github.com/go-lockable/lockable/etcd"
//
// New fails with an error matching ErrUnknownBackend when it is not.
func WithBackend(url string) Option {
	return optionFunc(func(c *config) { c.backend = url })
}

// WithLogger sets where the Lockable logs what it does. The default
// discards everything: a library never writes to stderr by itself.
func WithLogger(log *slog.Logger) Option {
	return optionFunc(func(c *config) { c.log = log })
}

// LockOption configures one call of Lock, LockMany, TryLock, TryLockMany
// or Do.
type LockOption interface{ applyLock(*lockConfig) }

type lockConfig struct {
	owner    string
	priority int
	care     careConfig // lab care: WithHealthCheck, WithCleanup (check.go)
}

type lockOptionFunc func(*lockConfig)

func (f lockOptionFunc) applyLock(c *lockConfig) { f(c) }

// WithOwner names the owner of the allocations a call makes: a free-form
// label, such as a test's name or a command line, that status and timeout
// messages show. The default is the program's name.
func WithOwner(owner string) LockOption {
	return lockOptionFunc(func(c *lockConfig) { c.owner = owner })
}

// WithPriority sets the priority of a call's place in the queue: among
// the waiters whose requirements a free resource fits, it goes to one of
// the highest priority, and among those to the one that asked first.
// Higher is served first; the default is 0, and a negative priority lets
// others go first. A priority orders waiters only: it takes nothing from
// a holder.
func WithPriority(n int) LockOption {
	return lockOptionFunc(func(c *lockConfig) { c.priority = n })
}

func (l *Lockable) lockConfig(opts []LockOption) lockConfig {
	c := lockConfig{owner: l.program}
	for _, o := range opts {
		o.applyLock(&c)
	}
	return c
}
