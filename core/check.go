package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultCheckTimeout bounds a health check or a cleanup given without a
// bound of its own.
const DefaultCheckTimeout = time.Minute

// ErrCheckFailed: a health check or a cleanup failed, so the resource was
// put in maintenance (see WithHealthCheck, WithCleanup). The error is a
// *CheckError.
var ErrCheckFailed = errors.New("lab care check failed")

// ErrCheckNotRun: a health check could not check at all (its program is
// missing, say). That is the checking host's fault, not the resource's,
// so a Check that returns an error matching it puts nothing in
// maintenance: the call releases what it took and fails with that error.
// A cleanup that could not run is a failed cleanup all the same: the
// resource was not cleaned.
var ErrCheckNotRun = errors.New("lab care check could not run")

// Check looks after a held resource: a health check tells whether it is
// fit to be handed out, a cleanup makes it so after use. It returns an
// error when the resource is not fit for the next user. It must return
// soon after ctx is done; ctx's deadline is the check's bound. A health
// check's error matching context.Canceled, returned before that bound,
// says it was interrupted (the caller's program is stopping, after its
// context's deadline, say, when that context can no longer be
// cancelled): it counts against nobody, as a cancelled call's check does,
// and the call fails with it. A cleanup has no such way out: one that
// did not finish leaves the resource dirty, so in maintenance.
type Check func(ctx context.Context, a *Allocation) error

// WithHealthCheck runs check on every resource the call takes, after its
// lock is taken and before the call returns it, for at most timeout (0:
// DefaultCheckTimeout). A resource whose check fails, or does not end in
// time, is put in maintenance (with the check's error as the note; a
// maintenance started while it ran is kept instead) while still locked, then released, and the call goes on with the next
// resource that fits: the caller never gets a resource that failed its
// check. With several requirements (LockMany), a failure releases the
// others too and the call tries again, all or nothing.
//
// When every fitting resource has failed, the call fails at once with an
// error matching ErrNotFound that names each one and why (a
// *NotFoundError whose OutOfService carry the *CheckError of each); they
// are in maintenance now, so waiting would not help. Checks run while the
// call waits for nothing; the call's deadline bounds its waiting, not a
// check once started, and a check started before the deadline runs to its
// own bound. Cancelling the call's context stops a check and puts nothing
// in maintenance. Each run is logged with the resource, its duration and
// its outcome.
func WithHealthCheck(check Check, timeout time.Duration) LockOption {
	return lockOptionFunc(func(c *lockConfig) { c.care.check = checkSpec{check, boundOf(timeout)} })
}

// WithCleanup runs cleanup when an allocation the call makes is
// released (Unlock, Do), while the resource is still locked, for at most
// timeout (0: DefaultCheckTimeout). A cleanup that fails, or does not end
// in time, puts the resource in maintenance, with its error as the note,
// before the release: the next user never gets the resource dirty. Unlock
// then returns the *CheckError (it matches ErrCheckFailed); the resource
// is released all the same. A lock that was lost (ErrLost) is not
// cleaned up: another holder may have the resource. Each run is logged
// with the resource, its duration and its outcome.
func WithCleanup(cleanup Check, timeout time.Duration) LockOption {
	return lockOptionFunc(func(c *lockConfig) { c.care.cleanup = checkSpec{cleanup, boundOf(timeout)} })
}

func boundOf(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return DefaultCheckTimeout
	}
	return timeout
}

// careConfig is what the lab care options of one call set.
type careConfig struct {
	check, cleanup checkSpec
}

// checkSpec is one check and its bound; fn is nil when there is none.
type checkSpec struct {
	fn      Check
	timeout time.Duration
}

// CheckError is a health check or a cleanup that failed.
type CheckError struct {
	// Resource is the id of the resource checked.
	Resource string
	// Cleanup is true for a cleanup (WithCleanup), false for a health
	// check (WithHealthCheck).
	Cleanup bool
	// Took is how long it ran.
	Took time.Duration
	// Err is what it returned, or why it did not end in time.
	Err error
	// Maintenance is the maintenance the failure put the resource in;
	// nil when it could not be recorded (MaintenanceErr says why).
	Maintenance *Maintenance
	// MaintenanceErr is why the resource could not be put in
	// maintenance; it is left out of this call all the same.
	MaintenanceErr error
}

// kind names the check for messages: "health check" or "cleanup".
func (e *CheckError) kind() string {
	if e.Cleanup {
		return "cleanup"
	}
	return "health check"
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("%s of %s %s", e.kind(), e.Resource, e.outcome())
}

// outcome says how it failed and what became of the resource.
func (e *CheckError) outcome() string {
	s := fmt.Sprintf("failed after %s: %s", e.Took.Round(time.Millisecond), OneLine(e.Err.Error()))
	if e.MaintenanceErr != nil {
		return s + "; it could not be put in maintenance: " + e.MaintenanceErr.Error()
	}
	return s + "; in maintenance now"
}

// Is makes errors.Is(err, ErrCheckFailed) true.
func (e *CheckError) Is(target error) bool { return target == ErrCheckFailed }

// Unwrap returns what the check returned.
func (e *CheckError) Unwrap() error { return e.Err }

// runCheck runs one check of a held allocation within its bound, logs
// the run, and on failure puts the resource in maintenance (the lock is
// still held). It returns the failure, or ctx's error when ctx was
// cancelled, which stops the check and counts against nobody. A check
// outlives ctx's deadline: that deadline bounds waiting, not checking.
func (l *Lockable) runCheck(ctx context.Context, a *Allocation, spec checkSpec, cleanup bool) (*CheckError, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), spec.timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	defer stop()
	start := time.Now()
	err := spec.fn(cctx, a)
	ce := &CheckError{Resource: a.ResourceID(), Cleanup: cleanup, Took: time.Since(start), Err: err}
	if errors.Is(ctx.Err(), context.Canceled) {
		l.logCheck(ce, "interrupted")
		return nil, ctx.Err()
	}
	if !cleanup && cctx.Err() == nil && errors.Is(err, context.Canceled) {
		l.logCheck(ce, "interrupted")
		return nil, err
	}
	if !cleanup && errors.Is(err, ErrCheckNotRun) {
		l.logCheck(ce, "not run")
		return nil, err
	}
	switch {
	case err == nil || cctx.Err() == nil:
	case errors.Is(err, context.DeadlineExceeded):
		// Not the caller's deadline, and not to be taken for it: the
		// check's own bound.
		ce.Err = fmt.Errorf("did not end within %s", spec.timeout)
	default:
		ce.Err = fmt.Errorf("did not end within %s: %w", spec.timeout, err)
	}
	if err == nil {
		l.logCheck(ce, "passed")
		return nil, nil
	}
	l.logCheck(ce, "failed")
	l.quarantine(ctx, ce)
	return ce, nil
}

// quarantine puts the resource of a failed check in maintenance, with
// the failure as the note, whatever ctx's deadline: a failure must not
// go unrecorded because the caller's wait ran out. A resource in
// maintenance already stays in that one.
func (l *Lockable) quarantine(ctx context.Context, ce *CheckError) {
	// A maintenance someone started while the check ran says more (and
	// may end by itself): it is kept, not overwritten.
	if cur, err := l.maintenanceOf(context.WithoutCancel(ctx), []string{ce.Resource}); err == nil && cur[0] != nil {
		ce.Maintenance = cur[0]
		l.log.Warn("a resource that failed its "+ce.kind()+" is in maintenance already; keeping that maintenance", "resource", ce.Resource, "maintenance", cur[0].String())
		return
	}
	note := noteOf(ce)
	m, err := l.putMaintenance(context.WithoutCancel(ctx), ce.Resource, note, 0)
	if err != nil {
		ce.MaintenanceErr = err
		l.log.Error("cannot put a resource that failed its "+ce.kind()+" in maintenance", "resource", ce.Resource, "err", err)
		return
	}
	ce.Maintenance = &m
}

// noteOf is the maintenance note of a failure: what failed and how, as
// the check said it (a command's exit status and last lines of output),
// within MaxNote.
func noteOf(ce *CheckError) string {
	note := ce.kind() + " failed: " + ce.Err.Error()
	if len(note) <= MaxNote {
		return note
	}
	cut := MaxNote - len("...")
	for cut > 0 && note[cut]&0xc0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return note[:cut] + "..."
}

func (l *Lockable) logCheck(ce *CheckError, outcome string) {
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("resource", ce.Resource), slog.Duration("duration", ce.Took), slog.String("outcome", outcome)}
	if outcome == "failed" || outcome == "not run" {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("err", ce.Err.Error()))
	}
	l.log.LogAttrs(context.Background(), level, ce.kind(), attrs...)
}
