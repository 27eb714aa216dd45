package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder keeps the log records of lab care's checks.
type recorder struct {
	mu   sync.Mutex
	runs []string // "health check phone-0 failed"
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != "health check" && rec.Message != "cleanup" {
		return nil
	}
	attrs := map[string]string{}
	rec.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
	if _, ok := attrs["duration"]; !ok {
		return errors.New("no duration")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, rec.Message+" "+attrs["resource"]+" "+attrs["outcome"])
	return nil
}

func (r *recorder) logged() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.runs...)
}

// failFirst is a health check that fails the first resource it checks.
func failFirst() (Check, *atomic.Value) {
	var first atomic.Value
	return func(_ context.Context, a *Allocation) error {
		if first.CompareAndSwap(nil, a.ResourceID()) {
			return errors.New("adb: device offline")
		}
		return nil
	}, &first
}

func TestFailedHealthCheckQuarantinesAndGoesOn(t *testing.T) {
	rec := &recorder{}
	l := newLabWith(t, []Option{WithLogger(slog.New(rec))}, phones(2)...)
	check, first := failFirst()
	a, err := l.Lock(t.Context(), q(""), WithHealthCheck(check, time.Second))
	require.NoError(t, err)
	failed := first.Load().(string)
	assert.NotEqual(t, failed, a.ResourceID(), "the caller gets the healthy one")

	st := statusOf(t, l, failed)
	assert.Equal(t, InMaintenance, st.State, "released, and in maintenance")
	require.NotNil(t, st.Maintenance)
	assert.Equal(t, "health check failed: adb: device offline", st.Maintenance.Note)
	assert.True(t, st.Maintenance.Until.IsZero(), "until someone ends it")
	assert.Equal(t, []string{"health check " + failed + " failed", "health check " + a.ResourceID() + " passed"}, rec.logged())
	require.NoError(t, a.Unlock())
}

// When every fitting resource fails, the call fails at once: not found,
// naming each and why; waiting would not help.
func TestEveryFittingResourceFailsItsCheck(t *testing.T) {
	l, _ := newLab(t, phones(2)...)
	check := func(_ context.Context, a *Allocation) error { return fmt.Errorf("no answer from %s", a.ResourceID()) }
	ctx, cancel := context.WithTimeout(t.Context(), childWait)
	defer cancel()
	_, err := l.Lock(ctx, q(""), WithHealthCheck(check, time.Second))
	require.ErrorIs(t, err, ErrNotFound, "not a timeout: waiting would not help")
	require.ErrorIs(t, err, ErrCheckFailed)
	var ce *CheckError
	require.ErrorAs(t, err, &ce)
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	require.Len(t, nf.OutOfService, 2)
	for i, o := range nf.OutOfService {
		id := fmt.Sprintf("phone-%d", i)
		assert.Equal(t, id, o.Resource.ID())
		require.NotNil(t, o.Failed)
		assert.EqualError(t, o.Failed.Err, "no answer from "+id)
		require.NotNil(t, o.Maintenance)
		assert.Equal(t, "health check failed: no answer from "+id, o.Maintenance.Note)
	}
	assert.Regexp(t, `^no resource fits \{.*\} now \(2 resources in the list\); the 2 that fit are out of service: `+
		`\[phone-0: health check failed after \S+: no answer from phone-0; in maintenance now\] `+
		`\[phone-1: health check failed after \S+: no answer from phone-1; in maintenance now\]$`, err.Error())

	// They stay out of service for the next caller, without a check.
	_, err = l.Lock(expired(t), q(""))
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, err.Error(), "[phone-0: in maintenance since")
	assert.Contains(t, err.Error(), "by "+l.user+"@bench-1: health check failed: no answer from phone-0]")
}

func TestHealthCheckIsBounded(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	hang := func(ctx context.Context, _ *Allocation) error {
		<-ctx.Done()
		return ctx.Err()
	}
	_, err := l.Lock(t.Context(), q(""), WithHealthCheck(hang, 100*time.Millisecond))
	require.ErrorIs(t, err, ErrNotFound)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the check's bound is not the caller's deadline")
	assert.Equal(t, "health check failed: did not end within 100ms", statusOf(t, l, "phone-0").Maintenance.Note)
}

// The call's deadline bounds its waiting; a check, once started, has its
// own bound.
func TestHealthCheckOutlivesTheDeadline(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	slow := func(ctx context.Context, _ *Allocation) error {
		select {
		case <-time.After(200 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	a, err := l.Lock(ctx, q(""), WithHealthCheck(slow, time.Minute))
	require.NoError(t, err)
	require.NoError(t, a.Unlock())
}

// Cancelling the call stops its check, which counts against nobody.
func TestCancelDuringHealthCheck(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	ctx, cancel := context.WithCancel(t.Context())
	hang := func(cctx context.Context, _ *Allocation) error {
		cancel()
		<-cctx.Done()
		return cctx.Err()
	}
	_, err := l.Lock(ctx, q(""), WithHealthCheck(hang, time.Minute))
	require.ErrorIs(t, err, context.Canceled)
	st := statusOf(t, l, "phone-0")
	assert.Equal(t, Free, st.State)
	assert.Nil(t, st.Maintenance)
}

// Past the call's deadline its context can no longer be cancelled; a
// health check that says it was interrupted (context.Canceled) counts
// against nobody all the same, and the call fails with it.
func TestHealthCheckInterruptedAfterTheDeadline(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	interrupted := func(cctx context.Context, _ *Allocation) error {
		<-ctx.Done() // the call's deadline passes while the check runs
		require.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
		require.NoError(t, cctx.Err(), "the check's own bound is a minute")
		return fmt.Errorf("stopped by a signal: %w", context.Canceled)
	}
	_, err := l.Lock(ctx, q(""), WithHealthCheck(interrupted, time.Minute))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrCheckFailed)
	st := statusOf(t, l, "phone-0")
	assert.Equal(t, Free, st.State)
	assert.Nil(t, st.Maintenance)

	// A cleanup that says so is not let off: it did not finish.
	a, err := l.Lock(t.Context(), q(""), WithCleanup(func(context.Context, *Allocation) error {
		return fmt.Errorf("stopped: %w", context.Canceled)
	}, time.Minute))
	require.NoError(t, err)
	require.ErrorIs(t, a.Unlock(), ErrCheckFailed)
	assert.NotNil(t, statusOf(t, l, "phone-0").Maintenance)
}

// A health check that could not check at all (ErrCheckNotRun) is the
// host's fault: the call fails with it, the resource is released, and
// nothing goes into maintenance. A cleanup that could not run did not
// clean: the resource goes into maintenance.
func TestHealthCheckThatCannotRun(t *testing.T) {
	l, _ := newLab(t, phones(2)...)
	cannot := func(context.Context, *Allocation) error {
		return fmt.Errorf("%w: adb: not found", ErrCheckNotRun)
	}
	_, err := l.LockMany(t.Context(), qs("", ""), WithHealthCheck(cannot, time.Minute))
	require.ErrorIs(t, err, ErrCheckNotRun)
	assert.NotErrorIs(t, err, ErrCheckFailed)
	for _, id := range []string{"phone-0", "phone-1"} {
		st := statusOf(t, l, id)
		assert.Equal(t, Free, st.State, id)
		assert.Nil(t, st.Maintenance, id)
	}

	a, err := l.Lock(t.Context(), q(""), WithCleanup(cannot, time.Minute))
	require.NoError(t, err)
	require.ErrorIs(t, a.Unlock(), ErrCheckFailed)
	assert.NotNil(t, statusOf(t, l, a.ResourceID()).Maintenance)
}

// With several requirements, a failed check releases what else was
// taken and the call tries again: all or nothing.
func TestHealthCheckOfSeveralResources(t *testing.T) {
	l, _ := newLab(t, phones(3)...)
	var checked sync.Map
	check := func(_ context.Context, a *Allocation) error {
		checked.Store(a.ResourceID(), true)
		if a.ResourceID() == "phone-0" {
			return errors.New("broken")
		}
		return nil
	}
	for range 5 { // random order: phone-0 is taken in some runs
		as, err := l.LockMany(t.Context(), qs("", ""), WithHealthCheck(check, time.Second))
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"phone-1", "phone-2"}, ids(as))
		unlockAll(t, as)
	}
	if _, ok := checked.Load("phone-0"); ok {
		assert.Equal(t, InMaintenance, statusOf(t, l, "phone-0").State)
	}

	// Two asked for, one of two fails: nothing is held.
	l, _ = newLab(t, phones(2)...)
	_, err := l.LockMany(t.Context(), qs("", ""), WithHealthCheck(check, time.Second))
	require.ErrorIs(t, err, ErrNotFound)
	assert.Regexp(t, `^2 resources fitting .* were asked for, and 1 fits \(2 resources in the list\); 1 more out of service: \[phone-0: health check failed`, err.Error())
	assert.Equal(t, Free, statusOf(t, l, "phone-1").State, "all or nothing")
}

func qs(texts ...string) []*query.Query {
	out := make([]*query.Query, len(texts))
	for i, s := range texts {
		out[i] = q(s)
	}
	return out
}

// A resource put in maintenance while it is being checked is not handed
// over.
func TestMaintenanceDuringTheCheck(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	check := func(ctx context.Context, a *Allocation) error {
		_, err := l.StartMaintenance(ctx, a.ResourceID(), "taken away", 0)
		return err // the check itself passes
	}
	_, err := l.Lock(t.Context(), q(""), WithHealthCheck(check, time.Second))
	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "taken away")
	assert.Equal(t, InMaintenance, statusOf(t, l, "phone-0").State)
}

// A check or cleanup that fails after someone put its resource in
// maintenance keeps that maintenance: the operator's note and window are
// not overwritten by the failure.
func TestFailureKeepsAMaintenanceStartedMeanwhile(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	failAfterMaintenance := func(ctx context.Context, a *Allocation) error {
		_, err := l.StartMaintenance(ctx, a.ResourceID(), "battery swollen, do not touch", time.Hour)
		require.NoError(t, err)
		return errors.New("exit status 1")
	}
	_, err := l.Lock(t.Context(), q(""), WithHealthCheck(failAfterMaintenance, time.Minute))
	require.ErrorIs(t, err, ErrNotFound)
	m := statusOf(t, l, "phone-0").Maintenance
	require.NotNil(t, m)
	assert.Equal(t, "battery swollen, do not touch", m.Note)
	assert.False(t, m.Until.IsZero(), "its window is kept too")

	_, err = l.EndMaintenance(t.Context(), "phone-0")
	require.NoError(t, err)
	a, err := l.Lock(t.Context(), q(""), WithCleanup(failAfterMaintenance, time.Minute))
	require.NoError(t, err)
	var ce *CheckError
	require.ErrorAs(t, a.Unlock(), &ce)
	require.NotNil(t, ce.Maintenance)
	assert.Equal(t, "battery swollen, do not touch", ce.Maintenance.Note)
	assert.Equal(t, "battery swollen, do not touch", statusOf(t, l, "phone-0").Maintenance.Note)
}

func TestCleanupRunsWhileHeld(t *testing.T) {
	rec := &recorder{}
	dir := t.TempDir()
	path := lab(t, phones(1)...)
	l := newLockableWith(t, path, dir, WithLogger(slog.New(rec)))
	other := newLockable(t, path, dir)
	var during *Allocation
	var duringErr error
	cleanup := func(ctx context.Context, a *Allocation) error {
		during, duringErr = other.TryLock(ctx, q(""))
		return nil
	}
	a, err := l.Lock(t.Context(), q(""), WithCleanup(cleanup, time.Second))
	require.NoError(t, err)
	require.NoError(t, a.Unlock())
	require.NoError(t, duringErr)
	assert.Nil(t, during, "the resource was still locked during the cleanup")
	assert.Equal(t, Free, statusOf(t, l, "phone-0").State)
	assert.Equal(t, []string{"cleanup phone-0 passed"}, rec.logged())
	require.ErrorIs(t, a.Unlock(), ErrNotHeld)
}

// A failed cleanup puts the resource in maintenance before the release:
// the next user does not get it dirty.
func TestFailedCleanupQuarantines(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	cleanup := func(context.Context, *Allocation) error { return errors.New("factory reset refused") }
	err := l.Do(t.Context(), q(""), func(*Allocation) error { return nil }, WithCleanup(cleanup, time.Second))
	require.ErrorIs(t, err, ErrCheckFailed)
	var ce *CheckError
	require.ErrorAs(t, err, &ce)
	assert.True(t, ce.Cleanup)
	assert.Regexp(t, `^cleanup of phone-0 failed after \S+: factory reset refused; in maintenance now$`, ce.Error())
	st := statusOf(t, l, "phone-0")
	assert.Equal(t, InMaintenance, st.State, "released, in maintenance")
	assert.Equal(t, "cleanup failed: factory reset refused", st.Maintenance.Note)
}

// Unlock while a cleanup runs is a second release.
func TestUnlockDuringCleanup(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	started, finish := make(chan struct{}), make(chan struct{})
	cleanup := func(context.Context, *Allocation) error {
		close(started)
		<-finish
		return nil
	}
	a, err := l.Lock(t.Context(), q(""), WithCleanup(cleanup, time.Minute))
	require.NoError(t, err)
	first := make(chan error, 1)
	go func() { first <- a.Unlock() }()
	<-started
	require.ErrorIs(t, a.Unlock(), ErrNotHeld)
	assert.Equal(t, Held, statusOf(t, l, "phone-0").State)
	close(finish)
	require.NoError(t, <-first)
}

// newLockableWith is newLockable with more options.
func newLockableWith(t *testing.T, path, dir string, opts ...Option) *Lockable {
	t.Helper()
	l, err := New(t.Context(), provider.File(path), append([]Option{WithHostname(testHost), WithLockFolder(dir)}, opts...)...)
	require.NoError(t, err)
	return l
}
