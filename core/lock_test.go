package core

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expired returns a context whose deadline has passed: Lock then tries
// exactly once.
func expired(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	t.Cleanup(cancel)
	return ctx
}

func TestLockWritesHolderAndUnlockEmptiesFile(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	a, err := l.Lock(t.Context(), q(`{"type":"phone"}`), WithOwner("TestOwner"))
	require.NoError(t, err)

	content, err := os.ReadFile(filepath.Join(dir, "phone-0.pid"))
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(content), "\n")
	assert.Equal(t, strconv.Itoa(os.Getpid()), first, "first line is the holder's pid")
	pid, desc := splitPIDLine(content)
	h := holderOf(lockbackend.Entry{Held: true, PID: pid, Desc: desc})
	assert.Equal(t, a.ID(), h.AllocationID)
	assert.Equal(t, "phone-0", h.Resource)
	assert.Equal(t, testHost, h.Hostname)
	assert.Equal(t, "TestOwner", h.Owner)
	assert.JSONEq(t, a.Requirements().String(), string(h.Requirements))
	assert.InDelta(t, a.QueueTime().Seconds(), h.Queued.Seconds(), 1e-9, "the lock says how long the holder waited")
	assert.Positive(t, h.Queued)

	require.NoError(t, a.Unlock())
	content, err = os.ReadFile(filepath.Join(dir, "phone-0.pid"))
	require.NoError(t, err, "the lock file stays after release")
	assert.Empty(t, content, "release empties the lock file")
	assert.False(t, a.ReleaseTime().IsZero())
	assert.GreaterOrEqual(t, a.Duration(), time.Duration(0))
}

func TestAllocationDescribesResource(t *testing.T) {
	l, _ := newLab(t, map[string]any{
		"id": "pixel-1", "hostname": testHost, "online": true,
		"serial": "ABC123", "network": map[string]any{"ip": "10.0.0.5"},
	})
	a, err := l.Lock(t.Context(), q(`serial=ABC123`))
	require.NoError(t, err)
	defer a.Unlock()

	assert.Equal(t, "pixel-1", a.ResourceID())
	assert.Equal(t, "10.0.0.5", a.Get("network.ip").String())
	assert.Equal(t, "ABC123", a.Resource().Get("serial").String())
	assert.Contains(t, a.Requirements().String(), `"hostname":"bench-1"`)
	assert.Len(t, a.ID(), 36)
	assert.True(t, a.ReleaseTime().IsZero())
	assert.Contains(t, a.String(), "pixel-1")
	assert.False(t, a.StartTime().IsZero())
	assert.GreaterOrEqual(t, a.QueueTime(), time.Duration(0))
}

func TestUnlockTwiceIsAnError(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	a, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)
	require.NoError(t, a.Unlock())
	require.ErrorIs(t, a.Unlock(), ErrNotHeld, "released twice")
}

func TestDefaultRequirements(t *testing.T) {
	l, _ := newLab(t,
		map[string]any{"id": "local", "hostname": testHost, "online": true},
		map[string]any{"id": "offline", "hostname": testHost, "online": false},
		map[string]any{"id": "remote", "hostname": "elsewhere", "online": true},
	)
	tests := []struct {
		reqs string
		want []string
	}{
		{``, []string{"local"}},
		{`{"online": false}`, []string{"offline"}},
		{`{"online": null}`, []string{"local", "offline"}},
		{`{"hostname": "elsewhere"}`, []string{"remote"}},
		{`{"hostname": null}`, []string{"local", "remote"}},
		{`{"hostname": null, "online": null}`, []string{"local", "offline", "remote"}},
	}
	for _, tt := range tests {
		t.Run(tt.reqs, func(t *testing.T) {
			st, err := l.Status(t.Context(), q(tt.reqs))
			require.NoError(t, err)
			var ids []string
			for _, r := range st.Fitting() {
				ids = append(ids, r.Resource.ID())
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}

func TestLockTakesAFreeCandidate(t *testing.T) {
	l, _ := newLab(t, phones(3)...)
	seen := map[string]bool{}
	var as []*Allocation
	for range 3 {
		a, err := l.Lock(expired(t), q(`type=phone`))
		require.NoError(t, err)
		assert.False(t, seen[a.ResourceID()], "handed out twice: %s", a.ResourceID())
		seen[a.ResourceID()] = true
		as = append(as, a)
	}
	_, err := l.Lock(expired(t), q(`type=phone`))
	require.ErrorIs(t, err, ErrTimeout)
	for _, a := range as {
		require.NoError(t, a.Unlock())
	}
}

func TestCandidatesAreInRandomOrder(t *testing.T) {
	l, _ := newLab(t, phones(4)...)
	seen := map[string]bool{}
	for range 200 {
		a, err := l.Lock(t.Context(), q(""))
		require.NoError(t, err)
		seen[a.ResourceID()] = true
		require.NoError(t, a.Unlock())
	}
	assert.Len(t, seen, 4, "every candidate is used now and then")
}

func TestNotFoundFailsAtOnceAndExplains(t *testing.T) {
	l, _ := newLab(t,
		map[string]any{"id": "p1", "hostname": testHost, "online": true, "ram_gb": 8},
		map[string]any{"id": "p2", "hostname": testHost, "online": false, "ram_gb": 16},
		map[string]any{"id": "p3", "hostname": "other", "online": true, "ram_gb": 16},
	)
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()

	_, err := l.Lock(ctx, q(`{"ram_gb": {"$gte": 16}}`))
	require.ErrorIs(t, err, ErrNotFound)
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, err.Error(), `"hostname":"bench-1"`, "shows the requirements with defaults")
	assert.Contains(t, err.Error(), `"online":true`)
	require.Len(t, nf.Closest, 3)
	reasons := map[string]string{}
	for _, f := range nf.Closest {
		reasons[f.Resource.ID()] = f.String()
	}
	assert.Contains(t, reasons["p1"], "ram_gb")
	assert.Contains(t, reasons["p2"], "online")
	assert.Contains(t, reasons["p3"], "hostname")
	assert.Empty(t, nf.UnknownFields)
}

func TestNotFoundSuggestsFieldForTypo(t *testing.T) {
	l, _ := newLab(t, map[string]any{"id": "p1", "hostname": testHost, "online": true, "ram_gb": 8,
		"network": map[string]any{"ip": "10.0.0.1"}})

	_, err := l.Lock(t.Context(), q(`{"ram_gbb": {"$gte": 8}, "network.ipp": "10.0.0.1", "zzzzzzzzzz": 1}`))
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, []UnknownField{
		{Field: "ram_gbb", Suggestion: "ram_gb"},
		{Field: "network.ipp", Suggestion: "network.ip"},
		{Field: "zzzzzzzzzz"},
	}, nf.UnknownFields)
	assert.Contains(t, err.Error(), `did you mean "ram_gb"?`)
}

func TestTimeoutSaysWhoHolds(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	held, err := l.Lock(t.Context(), q(""), WithOwner("TestHolder"))
	require.NoError(t, err)
	defer held.Unlock()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = l.Lock(ctx, q(""))
	require.ErrorIs(t, err, ErrTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Fitting, 1)
	assert.Equal(t, Held, te.Fitting[0].State)
	assert.Equal(t, held.ID(), te.Fitting[0].Holder.AllocationID)
	assert.Contains(t, err.Error(), "phone-0 by ")
	assert.Contains(t, err.Error(), "(TestHolder)")
}

func TestCancelStopsTheWait(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	held, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)
	defer held.Unlock()

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := l.Lock(ctx, q(""))
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, ErrTimeout)
	case <-time.After(10 * time.Second):
		t.Fatal("Lock did not return after cancel")
	}
}

func TestWaiterGetsReleasedResource(t *testing.T) {
	path := lab(t, phones(1)...)
	dir := t.TempDir()
	holder, waiter := newLockable(t, path, dir), newLockable(t, path, dir)
	held, err := holder.Lock(t.Context(), q(""))
	require.NoError(t, err)

	got := make(chan *Allocation, 1)
	errs := make(chan error, 1)
	go func() {
		a, err := waiter.Lock(t.Context(), q(""))
		errs <- err
		got <- a
	}()
	require.NoError(t, held.Unlock())
	require.NoError(t, <-errs)
	a := <-got
	assert.Equal(t, "phone-0", a.ResourceID())
	require.NoError(t, a.Unlock())
}

func TestDoReleasesOnReturnAndPanic(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	errBoom := errors.New("boom")
	err := l.Do(t.Context(), q(""), func(a *Allocation) error {
		assert.Equal(t, "phone-0", a.ResourceID())
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	assert.Panics(t, func() {
		_ = l.Do(t.Context(), q(""), func(*Allocation) error { panic("test panic") })
	})
	a, err := l.Lock(expired(t), q(""))
	require.NoError(t, err, "released after the panic")
	require.NoError(t, a.Unlock())
}

func TestConcurrentLockablesInOneProcessAreExclusive(t *testing.T) {
	path := lab(t, phones(2)...)
	dir := t.TempDir()
	ls := []*Lockable{newLockable(t, path, dir), newLockable(t, path, dir)}
	var mu sync.Mutex
	holders := map[string]int{}
	violations := 0
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			l := ls[g%2]
			for range 50 {
				a, err := l.Lock(t.Context(), q(""))
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				holders[a.ResourceID()]++
				if holders[a.ResourceID()] > 1 {
					violations++
				}
				mu.Unlock()
				runtime.Gosched()
				mu.Lock()
				holders[a.ResourceID()]--
				mu.Unlock()
				assert.NoError(t, a.Unlock())
			}
		})
	}
	wg.Wait()
	assert.Zero(t, violations)
}

func TestLockFolderProblems(t *testing.T) {
	t.Run("folder is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(file, nil, 0o644))
		_, err := New(t.Context(), stubSource{}, WithLockFolder(filepath.Join(file, "locks")))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot be created")
	})
	t.Run("missing folder is created", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		l := newLockable(t, lab(t, phones(1)...), dir)
		a, err := l.Lock(t.Context(), q(""))
		require.NoError(t, err)
		require.NoError(t, a.Unlock())
		assert.FileExists(t, filepath.Join(dir, "phone-0.pid"))
	})
	t.Run("folder removed after New", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "locks")
		l := newLockable(t, lab(t, phones(1)...), dir)
		require.NoError(t, os.Remove(dir))
		_, err := l.Lock(t.Context(), q(""))
		require.ErrorIs(t, err, os.ErrNotExist)
		assert.Contains(t, err.Error(), "lock folder is gone")
	})
	t.Run("lock file is a directory", func(t *testing.T) {
		l, dir := newLab(t, phones(1)...)
		require.NoError(t, os.Mkdir(filepath.Join(dir, "phone-0.pid"), 0o755))
		_, err := l.Lock(t.Context(), q(""))
		require.Error(t, err)
		assert.Contains(t, err.Error(), filepath.Join(dir, "phone-0.pid"))
		assert.Contains(t, err.Error(), "is a directory")
	})
}

func TestUnsafeIDsNeverEscapeTheFolder(t *testing.T) {
	base := t.TempDir()
	d, err := openFolder(filepath.Join(base, "locks"), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	for _, id := range []string{"../escape", "a/b", `a\b`, "..", ".", "", "nul\x00"} {
		_, err := d.TryLock(t.Context(), id, nil)
		require.ErrorIs(t, err, ErrInvalidID, "id %q", id)
	}
	entries, err := os.ReadDir(base)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing but the lock folder was created")
}

func TestReplacedLockFileIsNotHeld(t *testing.T) {
	d, err := openFolder(t.TempDir(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	path := filepath.Join(d.dir, "r.pid")
	f, err := d.lockFile(path)
	require.NoError(t, err)
	require.NotNil(t, f)
	defer f.Close()

	same, err := sameAsPath(f, path)
	require.NoError(t, err)
	assert.True(t, same)

	require.NoError(t, os.Remove(path))
	same, err = sameAsPath(f, path)
	require.NoError(t, err)
	assert.False(t, same, "removed")

	require.NoError(t, os.WriteFile(path, nil, 0o644))
	same, err = sameAsPath(f, path)
	require.NoError(t, err)
	assert.False(t, same, "recreated: another inode")
}

type stubSource struct{}

func (stubSource) Resources(context.Context) ([]provider.Resource, error) { return nil, nil }

// A done context is passed on as it is: a source that cannot answer
// without waiting (one that refuses a done context, as an HTTP source
// that has received nothing yet does) makes Lock fail at once, with the
// context's error, rather than being asked without a deadline.
func TestDoneContextReachesTheSource(t *testing.T) {
	l, err := New(t.Context(), ctxSource{provider.List(phones(1))}, WithHostname(testHost), WithLockFolder(t.TempDir()))
	require.NoError(t, err)
	_, err = l.Lock(expired(t), q(""))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	a, err := l.TryLock(t.Context(), q(""))
	require.NoError(t, err, "with a live context, the same source answers")
	require.NoError(t, a.Unlock())
}

// ctxSource refuses contexts that are done, as an HTTP source does.
type ctxSource struct{ src Source }

func (s ctxSource) Resources(ctx context.Context) ([]provider.Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.src.Resources(ctx)
}
