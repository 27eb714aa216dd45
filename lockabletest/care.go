package lockabletest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/command"
	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/redact"
)

// WithHealthCheck runs command, a line for /bin/sh -c with the resource's
// variables (ID, SERIAL, ... as the lockable command gives them), on
// every resource after it is locked and before the test gets it, for at
// most timeout (0: core.DefaultCheckTimeout). A resource whose check
// fails, or does not end in time, is put in maintenance with the check's
// exit status and last lines of output as the note, and the test gets
// the next resource that fits; when none is left, the test skips or fails
// by Policy, with each resource and why. Each run is logged on the test.
// It overrides LOCKABLE_HEALTH_CHECK and LOCKABLE_HEALTH_CHECK_TIMEOUT.
func WithHealthCheck(command string, timeout time.Duration) Option {
	return optionFunc(func(o *options) {
		o.care.HealthCheck, o.care.HealthCheckTimeout, o.careSet.check = command, timeout, true
	})
}

// WithHealthCheckFromList runs a resource's own health check, its
// "health_check" field, instead of WithHealthCheck's (or alone). The
// command then comes from the resources list: use it only with a list
// you trust, since whoever serves the list runs commands on the test's
// host. It overrides LOCKABLE_HEALTH_CHECK_FROM_LIST.
func WithHealthCheckFromList() Option {
	return optionFunc(func(o *options) { o.care.HealthCheckFromList, o.careSet.fromList = true, true })
}

// WithCleanup runs command, as WithHealthCheck runs its own, when a
// resource is released after the test (or, for a Fleet, after the
// tests), while it is still locked, for at most timeout (0:
// core.DefaultCheckTimeout). A cleanup that fails puts the resource in
// maintenance before the release, so that the next test does not get it
// dirty; it is logged, and does not fail the test. It overrides
// LOCKABLE_CLEANUP and LOCKABLE_CLEANUP_TIMEOUT.
func WithCleanup(command string, timeout time.Duration) Option {
	return optionFunc(func(o *options) {
		o.care.Cleanup, o.care.CleanupTimeout, o.careSet.cleanup = command, timeout, true
	})
}

// careSet says which lab care options a call gave.
type careSet struct {
	check, fromList, cleanup bool
}

// useCare resolves the lab care options against the environment's.
func (p *plan) useCare(o options, env config.Care) {
	c := env
	if o.careSet.check {
		c.HealthCheck, c.HealthCheckTimeout = o.care.HealthCheck, o.care.HealthCheckTimeout
	}
	if o.careSet.fromList {
		c.HealthCheckFromList = true
	}
	if o.careSet.cleanup {
		c.Cleanup, c.CleanupTimeout = o.care.Cleanup, o.care.CleanupTimeout
	}
	p.care = c
}

// careOptions are the lock options of the plan's health check and
// cleanup, each run told to logf.
func (p *plan) careOptions(logf func(string, ...any)) []core.LockOption {
	var opts []core.LockOption
	c := p.care
	if c.HealthCheck != "" || c.HealthCheckFromList {
		check := func(ctx context.Context, a *core.Allocation) error {
			line := c.HealthCheck
			if own, ok := a.Resource().HealthCheck(); ok && c.HealthCheckFromList {
				line = own
			}
			if line == "" {
				return nil
			}
			return p.runCare(ctx, a, "health check", line, logf)
		}
		opts = append(opts, core.WithHealthCheck(check, c.HealthCheckTimeout))
	}
	if c.Cleanup != "" {
		cleanup := func(ctx context.Context, a *core.Allocation) error {
			return p.runCare(ctx, a, "cleanup", c.Cleanup, logf)
		}
		opts = append(opts, core.WithCleanup(cleanup, c.CleanupTimeout))
	}
	return opts
}

// runCare runs one lab care command for a held resource and logs how it
// went.
func (p *plan) runCare(ctx context.Context, a *core.Allocation, kind, line string, logf func(string, ...any)) error {
	start := time.Now()
	env := append(slices.Clip(os.Environ()), command.ResourceEnv([]*core.Allocation{a}, false, false)...)
	err := command.Command{Line: line, Env: env, Secrets: p.secrets}.Run(ctx)
	took := time.Since(start).Round(time.Millisecond)
	var ce *command.Error
	if kind == "health check" && errors.As(err, &ce) && ce.NotRun() {
		return fmt.Errorf("%w: health check of %s: %s; this host cannot check, so nothing is put in maintenance: fix the health check command",
			core.ErrCheckNotRun, a.ResourceID(), core.OneLine(err.Error()))
	}
	switch {
	case err == nil:
		logf("lockabletest: %s of %s passed (%s)", kind, a.ResourceID(), took)
	case errors.Is(ctx.Err(), context.Canceled):
		logf("lockabletest: %s of %s stopped: the test ended", kind, a.ResourceID())
	case kind == "cleanup":
		logf("lockabletest: cleanup of %s failed after %s: %s; putting %s in maintenance before its release", a.ResourceID(), took, oneLine(ctx, err), a.ResourceID())
	default:
		logf("lockabletest: health check of %s failed after %s: %s; putting %s in maintenance, and trying another resource", a.ResourceID(), took, oneLine(ctx, err), a.ResourceID())
	}
	return err
}

// oneLine is a failure on one line, saying when its bound stopped it.
func oneLine(ctx context.Context, err error) string {
	text := core.OneLine(err.Error())
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "did not end in time: " + text
	}
	return text
}

// secretsOf blanks the credentials of the configured URLs in what lab
// care commands print.
func secretsOf(cfg config.Config) *redact.Redactor {
	return redact.ForURL(cfg.Resources).With(redact.ForURL(cfg.Backend))
}
