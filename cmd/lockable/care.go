package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/command"
	"github.com/go-lockable/lockable/internal/config"
)

// careFlags registers the run form's flags of lab care: a health check
// before the command, a cleanup after it.
func (o *options) careFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.healthCheck, "health-check", o.healthCheck, "")
	fs.Var((*durationValue)(&o.healthCheckTimeout), "health-check-timeout", "")
	fs.BoolVar(&o.healthCheckFromList, "health-check-from-list", o.healthCheckFromList, "")
	fs.StringVar(&o.cleanup, "cleanup", o.cleanup, "")
	fs.Var((*durationValue)(&o.cleanupTimeout), "cleanup-timeout", "")
}

// applyCareEnv fills the lab care flags not given from the LOCKABLE_*
// environment.
func (o *options) applyCareEnv(c config.Care) {
	if !o.set["health-check"] && c.HealthCheck != "" {
		o.healthCheck = c.HealthCheck
	}
	if !o.set["health-check-timeout"] && c.HealthCheckTimeout != 0 {
		o.healthCheckTimeout = c.HealthCheckTimeout
	}
	if !o.set["health-check-from-list"] && c.HealthCheckFromList {
		o.healthCheckFromList = true
	}
	if !o.set["cleanup"] && c.Cleanup != "" {
		o.cleanup = c.Cleanup
	}
	if !o.set["cleanup-timeout"] && c.CleanupTimeout != 0 {
		o.cleanupTimeout = c.CleanupTimeout
	}
}

// checkCare refuses bounds that are no bounds, and check commands that
// the shell cannot read.
func (o *options) checkCare() error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"health-check-timeout", o.healthCheckTimeout}, {"cleanup-timeout", o.cleanupTimeout}} {
		if o.set[f.name] && f.d <= 0 {
			return usagef("--%s %s: a check needs a bound; give a positive duration", f.name, f.d)
		}
	}
	for _, f := range []struct{ flag, env, line string }{
		{"health-check", config.EnvHealthCheck, o.healthCheck},
		{"cleanup", config.EnvCleanup, o.cleanup},
	} {
		if f.line == "" {
			continue
		}
		if err := shellSyntax(f.line); err != nil {
			from := "--" + f.flag
			if !o.set[f.flag] {
				from = "$" + f.env
			}
			return usagef("%s %q is not a command line /bin/sh can read: %s", from, f.line, core.OneLine(err.Error()))
		}
	}
	return nil
}

// careOptions are the lock options of the health check and the cleanup
// the flags ask for.
func (c *cli) careOptions(o *options) []core.LockOption {
	var opts []core.LockOption
	if o.healthCheck != "" || o.healthCheckFromList {
		opts = append(opts, core.WithHealthCheck(c.healthCheck(o), o.healthCheckTimeout))
	}
	if o.cleanup != "" {
		opts = append(opts, core.WithCleanup(func(ctx context.Context, a *core.Allocation) error {
			return c.runCare(ctx, a, "cleanup", o.cleanup, o)
		}, o.cleanupTimeout))
	}
	return opts
}

// healthCheck runs --health-check, or with --health-check-from-list the
// resource's own health_check when it has one: the resource knows best
// how it is checked.
func (c *cli) healthCheck(o *options) core.Check {
	return func(ctx context.Context, a *core.Allocation) error {
		line := o.healthCheck
		if own, ok := a.Resource().HealthCheck(); ok && o.healthCheckFromList {
			line = own
		}
		if line == "" {
			return nil // from the list, and this resource has none
		}
		return c.runCare(ctx, a, "health check", line, o)
	}
}

// boundOf is the bound of a kind of check.
func boundOf(o *options, kind string) time.Duration {
	d := o.cleanupTimeout
	if kind == "health check" {
		d = o.healthCheckTimeout
	}
	if d == 0 {
		return core.DefaultCheckTimeout
	}
	return d
}

// runCare runs one lab care command for a held resource, with the
// variables the command gets, and says how it went: a pass (unless -q),
// and a health check's failure, after which lockable goes on with the
// next resource. A cleanup's failure is told by the release.
func (c *cli) runCare(ctx context.Context, a *core.Allocation, kind, line string, o *options) error {
	start := time.Now()
	env := append(slices.Clip(c.environ), command.ResourceEnv([]*core.Allocation{a}, false, o.pyCompat)...)
	c.careBegin(kind, a.ResourceID())
	defer c.careEnd(o)
	run, interrupted := c.interruptible(ctx, kind)
	defer interrupted()
	err := command.Command{Line: line, Env: env, Grace: o.killAfter, Secrets: c.secrets}.Run(run)
	took := time.Since(start).Round(time.Millisecond)
	if interrupted() {
		// A signal after --timeout: ctx no longer tells it, so say it.
		return fmt.Errorf("%s of %s stopped by a signal: %w", kind, a.ResourceID(), context.Canceled)
	}
	var ce *command.Error
	if kind == "health check" && errors.As(err, &ce) && ce.NotRun() {
		// A typo in --health-check must not quarantine the whole lab.
		return withCode(ce.Status, fmt.Errorf("%w: health check of %s: %s; this host cannot check, so nothing is put in maintenance and the command does not run: fix the health check command",
			core.ErrCheckNotRun, a.ResourceID(), core.OneLine(err.Error())))
	}
	switch {
	case err == nil && !o.quiet:
		c.say("%s of %s passed (%s)", kind, a.ResourceID(), took)
	case err == nil, errors.Is(ctx.Err(), context.Canceled), kind == "cleanup":
	default:
		why := core.OneLine(err.Error())
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = fmt.Sprintf("did not end within --%s-timeout %s: %s", strings.ReplaceAll(kind, " ", "-"), boundOf(o, kind), why)
		}
		c.say("%s of %s failed after %s: %s; putting %s in maintenance, and trying another resource",
			kind, a.ResourceID(), took, why, a.ResourceID())
	}
	return err // core says when its bound ended it
}

// interruptible returns ctx for a health check, also ended by a signal
// to lockable: the check's own context outlives the run's deadline, and
// a signal after that deadline can no longer cancel the run's context.
// interrupted reports whether a signal ended it, and ends the watch. A
// cleanup is not interruptible: it runs to its end or its bound, lest
// the next user get the resource dirty.
func (c *cli) interruptible(ctx context.Context, kind string) (run context.Context, interrupted func() bool) {
	if kind != "health check" || c.interrupt == nil {
		return ctx, func() bool { return false }
	}
	run, cancel := context.WithCancel(ctx)
	signalled := make(chan struct{})
	stop := context.AfterFunc(c.interrupt, func() {
		close(signalled)
		cancel()
	})
	return run, func() bool {
		stop()
		cancel()
		select {
		case <-signalled:
			return ctx.Err() == nil
		default:
			return false
		}
	}
}

// careBegin notes that a check or cleanup (kind) of resource id starts;
// careEnd that one ended. When the last that runs ends, what they
// left running outside their process groups is stopped (Linux: sweepCare)
// before its resource is released or handed over, and said.
func (c *cli) careBegin(kind, id string) {
	c.care.Lock()
	defer c.care.Unlock()
	if c.care.running == 0 {
		c.care.watched = careWatch()
	}
	c.care.running++
	c.care.ran = append(c.care.ran, [2]string{kind, id})
}

func (c *cli) careEnd(o *options) {
	c.care.Lock()
	defer c.care.Unlock()
	c.care.running--
	if c.care.running > 0 || !c.care.watched {
		return
	}
	ran := c.care.ran
	c.care.ran = nil
	if left := sweepCare(o.killAfter); len(left) > 0 {
		c.say("%s left %s running; stopped %s (SIGTERM, then SIGKILL after --kill-after %s)",
			careRuns(ran), strings.Join(left, ", "), plural(len(left), "it", "them"), o.killAfter)
	}
}

// careRuns names checks and cleanups (kind, resource id) in a message:
// "the health check of dev-1", "the health checks of dev-1 and dev-2",
// "the health check of dev-1 and the cleanup of dev-2".
func careRuns(ran [][2]string) string {
	byKind := map[string][]string{}
	var kinds []string
	for _, r := range ran {
		if byKind[r[0]] == nil {
			kinds = append(kinds, r[0])
		}
		byKind[r[0]] = append(byKind[r[0]], r[1])
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		ids := byKind[k]
		parts[i] = fmt.Sprintf("the %s of %s", plural(len(ids), k, k+"s"), strings.Join(ids, " and "))
	}
	return strings.Join(parts, " and ")
}
