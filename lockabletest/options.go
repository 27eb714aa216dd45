package lockabletest

import (
	"fmt"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/config"
)

// Option changes how Require, RequireMany and a Fleet allocate.
type Option interface{ apply(*options) }

type options struct {
	timeout     time.Duration
	timeoutSet  bool
	policy      Policy
	owner       string
	priority    int
	prioritySet bool
	lockable    *core.Lockable
	attrs       []string
	care        config.Care // WithHealthCheck, WithCleanup (care.go)
	careSet     careSet
	env         *environment  // tests only: instead of the process's
	logEvery    time.Duration // tests only: instead of waitLogEvery
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

// WithTimeout sets how long to wait for the resources to come free; 0 or
// less tries once and never waits. It overrides LOCKABLE_TIMEOUT and the
// default, DefaultTimeout. The wait always ends before the test binary's
// -timeout deadline, so that the failure is this package's message, not
// the binary's panic.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.timeout, o.timeoutSet = max(d, 0), true })
}

// WithPolicy sets what happens when no resource can be had: Skip or Fail
// the test. It overrides LOCKABLE_ON_UNAVAILABLE and the default policy
// (see Policy).
func WithPolicy(p Policy) Option {
	return optionFunc(func(o *options) { o.policy = p })
}

// WithOwner sets the label written into the lock as the holder's owner,
// which timeout messages and 'lockable status' show. The default is the
// test's name (for a Fleet, the test binary's name).
func WithOwner(owner string) Option {
	return optionFunc(func(o *options) { o.owner = owner })
}

// WithPriority sets the test's priority among the waiters of the lab:
// a free resource goes to the waiter of the highest priority that fits
// it, then to the one that came first (see core.WithPriority). It
// overrides LOCKABLE_PRIORITY, with which a CI job raises (or lowers) a
// whole test run; the default is 0.
func WithPriority(n int) Option {
	return optionFunc(func(o *options) { o.priority, o.prioritySet = n, true })
}

// WithLockable allocates from l instead of the Lockable the environment
// configures. The LOCKABLE_* variables are then not read at all: the
// timeout and the policy are the options' or the defaults, and no extra
// requirements are added.
func WithLockable(l *core.Lockable) Option {
	return optionFunc(func(o *options) { o.lockable = l })
}

// WithAttr records more fields of each allocated resource on the test,
// by field path as requirements name fields ("serial", "network.ip",
// "tags.0"), as the attributes lockable.resource.<path> (see the package
// documentation). A path must not contain spaces.
func WithAttr(paths ...string) Option {
	return optionFunc(func(o *options) { o.attrs = append(o.attrs, paths...) })
}

// withEnvironment makes a test of this package independent of the
// process's LOCKABLE_* variables.
func withEnvironment(e *environment) Option {
	return optionFunc(func(o *options) { o.env = e })
}

// Policy says what a test does when it cannot have its resources: skip or
// fail. The zero Policy is the default: skip when no resources list is
// configured or found (a laptop without the lab), fail when one is but no
// resource fits, none comes free in time, or the list cannot be read (a
// CI host with the lab must never pass by skipping).
type Policy int

const (
	// Skip skips the test, with the reason.
	Skip Policy = iota + 1
	// Fail fails the test, with the reason.
	Fail
)

// String returns "skip", "fail" or, for the zero Policy, "default".
func (p Policy) String() string {
	switch p {
	case Skip:
		return "skip"
	case Fail:
		return "fail"
	case 0:
		return "default"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}
