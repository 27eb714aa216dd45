package lockabletest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// DefaultTimeout is how long a test waits for its resources when neither
// WithTimeout nor LOCKABLE_TIMEOUT says: long enough to queue behind
// another test run on a shared lab, shorter than go test's default
// -timeout of 10 minutes.
const DefaultTimeout = 5 * time.Minute

// The wait leaves unused a tenth of the time left before the test
// binary's deadline, at most maxDeadlineMargin, so that a timeout is
// reported by this package and the test's cleanups still run.
const (
	deadlineMarginShare = 10
	maxDeadlineMargin   = 10 * time.Second
)

// plan is how one call allocates: its options resolved against the
// environment.
type plan struct {
	lockable *core.Lockable
	extra    *query.Query
	timeout  time.Duration
	capped   bool // the deadline shortened the timeout
	policy   Policy
	policyBy string // what set the policy, for messages; "" by default
	owner    string
	priority int
	attrs    []string
	err      error            // why nothing can be allocated
	owned    bool             // the plan opened lockable: close it when done
	logEvery time.Duration    // tests only: instead of waitLogEvery
	care     config.Care      // the health check and the cleanup (care.go)
	secrets  *redact.Redactor // blanked in what they print
}

// newPlan resolves o: options first, then the environment (unless
// WithLockable replaces it), then the defaults.
func newPlan(o options, owner string) plan {
	p := plan{lockable: o.lockable, owner: o.owner, attrs: o.attrs, timeout: DefaultTimeout, logEvery: o.logEvery}
	if p.owner == "" {
		p.owner = owner
	}
	envCare := config.Care{} // WithLockable: no variables are read
	if p.lockable == nil {
		env, owned := o.environment()
		p.useEnvironment(env)
		p.owned = owned && p.lockable != nil
		envCare, p.secrets = env.care, env.secrets
	}
	p.useCare(o, envCare)
	if o.timeoutSet {
		p.timeout = o.timeout
	}
	if o.prioritySet {
		p.priority = o.priority
	}
	if o.policy != 0 {
		p.policy, p.policyBy = o.policy, fmt.Sprintf("WithPolicy(%s)", policyName(o.policy))
	}
	if p.err == nil {
		p.err = checkAttrPaths(o.attrs)
	}
	return p
}

// environment returns the environment to allocate from, and whether the
// caller owns its Lockable (and must close it).
func (o options) environment() (*environment, bool) {
	if o.env != nil {
		return o.env, false
	}
	return processEnvironment(), true
}

// close closes the Lockable the plan opened, if it did.
func (p *plan) close() error {
	if !p.owned {
		return nil
	}
	return p.lockable.Close()
}

func (p *plan) useEnvironment(env *environment) {
	p.lockable, p.extra, p.err = env.lockable, env.extra, env.err
	p.priority = env.priority
	if env.timeoutSet {
		p.timeout = env.timeout
	}
	if env.policy != 0 {
		p.policy, p.policyBy = env.policy, fmt.Sprintf("%s=%s", EnvOnUnavailable, env.policy)
	}
}

func policyName(p Policy) string {
	switch p {
	case Skip:
		return "Skip"
	case Fail:
		return "Fail"
	}
	return p.String()
}

func checkAttrPaths(paths []string) error {
	for _, path := range paths {
		if !attrKeyPart(path) {
			return fmt.Errorf("WithAttr(%q): a path must be non-empty and without spaces, as t.Attr keys are", path)
		}
		if _, err := query.New(map[string]any{path: map[string]any{"$exists": true}}); err != nil {
			return fmt.Errorf("WithAttr(%q): not a field path (%v)", path, err)
		}
	}
	return nil
}

// attrKeyPart reports whether s can be part of a t.Attr key: non-empty,
// without spaces.
func attrKeyPart(s string) bool {
	return s != "" && !strings.ContainsFunc(s, unicode.IsSpace)
}

// capTo shortens the timeout so that the wait ends a margin before
// deadline, when there is one.
func (p *plan) capTo(deadline time.Time, ok bool) {
	if !ok {
		return
	}
	left := time.Until(deadline)
	bound := left - min(left/deadlineMarginShare, maxDeadlineMargin)
	if bound < p.timeout {
		p.timeout, p.capped = max(bound, 0), true
	}
}

// parse compiles the requirements, with LOCKABLE_REQUIREMENTS added.
func (p *plan) parse(reqs []string) ([]*query.Query, error) {
	qs := make([]*query.Query, len(reqs))
	for i, r := range reqs {
		q, err := query.Parse(r)
		if err != nil {
			return nil, fmt.Errorf("%w, in %s", err, r)
		}
		qs[i] = q.And(p.extra) // q itself when there is no extra
	}
	return qs, nil
}

// lockAll holds a resource for each of reqs, all or nothing, unless the
// plan or the requirements are broken. It tells logf when it has to
// wait, who holds what it waits for, and how long it waited.
func (p *plan) lockAll(ctx context.Context, reqs []string, logf func(string, ...any)) ([]*core.Allocation, error) {
	if p.err != nil {
		return nil, p.err
	}
	qs, err := p.parse(reqs)
	if err != nil {
		return nil, err
	}
	return p.allocate(ctx, qs, logf)
}

// allocate holds a resource for each of qs, all or nothing, waiting as
// long as the plan says; parent ends the wait early.
func (p *plan) allocate(parent context.Context, qs []*query.Query, logf func(string, ...any)) ([]*core.Allocation, error) {
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	defer cancel()
	opts := append([]core.LockOption{core.WithOwner(p.owner), core.WithPriority(p.priority)}, p.careOptions(logf)...)
	as, err := p.lockable.TryLockMany(ctx, qs, opts...)
	if as == nil && err == nil {
		w := p.startWaiting(ctx, qs, logf)
		as, err = p.lockable.LockMany(ctx, qs, opts...)
		w.stop(as)
	}
	if err != nil && p.capped && errors.Is(err, core.ErrTimeout) {
		err = fmt.Errorf("%w (the wait was cut to %s by the test binary's -timeout deadline)", err, p.timeout.Round(time.Millisecond))
	} else if errors.Is(err, core.ErrTimeout) {
		err = fmt.Errorf("%w (set %s or use WithTimeout to wait longer)", err, config.EnvTimeout)
	}
	return as, err
}

// skips reports whether the policy skips the test for err rather than
// failing it. A broken configuration or requirements always fail.
func (p *plan) skips(err error) bool {
	switch p.policy {
	case Skip:
		return isUnavailable(err)
	case Fail:
		return false
	}
	return isNoLab(err)
}

// verdict says what the policy does for err: "skip" or "fail".
func (p *plan) verdict(err error) string {
	if p.skips(err) {
		return "skip"
	}
	return "fail"
}

// isUnavailable reports whether err says that the lab cannot give the
// resources now, as opposed to a mistake to fix: a lock backend that
// does not answer in time (context.DeadlineExceeded) is unavailable.
func isUnavailable(err error) bool {
	return isNoLab(err) || errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrTimeout) ||
		errors.Is(err, provider.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

// unavailable skips or fails t for err, by policy; it does not return.
func (p *plan) unavailable(t TB, err error) {
	t.Helper()
	if p.skips(err) {
		t.Skipf("lockabletest: %v (%s)", err, p.skipReason())
		return
	}
	if p.policyBy != "" && isUnavailable(err) {
		t.Fatalf("lockabletest: %v (failed by %s)", err, p.policyBy)
		return
	}
	t.Fatalf("lockabletest: %v", err)
}

// skipReason says what made the policy skip, for the message.
func (p *plan) skipReason() string {
	if p.policyBy != "" {
		return "skipped by " + p.policyBy
	}
	return fmt.Sprintf("skipped: the default without a lab; set %s=fail to fail instead", EnvOnUnavailable)
}
