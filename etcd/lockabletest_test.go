package etcd_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of lockabletest on etcd: lockabletest cannot import this
// package (the lockable module does not require the etcd module), so
// they live here, where a test binary links the backend as a user's does.

// lossBound bounds how long a revoked lease takes to fail a test: the
// holder learns it at its next renewal, a third of the TTL later.
const lossBound = 10 * time.Second

// anyServerText is anyServer as lockabletest takes requirements.
const anyServerText = `{"type": "server", "hostname": null}`

func TestLockabletestRequireFromTheEnvironment(t *testing.T) {
	lb := newLab(t, 1, "2s")
	// lockabletest reads the variables once per process: this is the
	// only test that configures it through them, and they are the same
	// in every run of it (-count=N), on a prefix of this process's own.
	host, err := os.Hostname()
	require.NoError(t, err)
	lb.prefix = fmt.Sprintf("/lockabletest/env-%s-%d", host, os.Getpid())
	resources, err := filepath.Abs(filepath.Join("testdata", "lockabletest", "resources.json"))
	require.NoError(t, err)
	t.Setenv("LOCKABLE_BACKEND", lb.url())
	t.Setenv("LOCKABLE_RESOURCES", resources)
	t.Setenv("LOCKABLE_HOSTNAME", "etcd-lab")
	t.Setenv("LOCKABLE_TIMEOUT", "10s")

	ft := newFakeTest(t, "TestFlash")
	var a *core.Allocation
	ft.run(func(tb lockabletest.TB) { a = lockabletest.Require(tb, "type=server") })
	ft.requireNoFailure(t)
	require.NotNil(t, a)
	assert.Equal(t, "env-0", a.ResourceID())
	key := lb.key(t, "env-0")
	require.NotNil(t, key, "held in etcd, under the backend's prefix")
	assert.NotZero(t, a.FencingToken())
	assert.Equal(t, key.CreateRevision, a.FencingToken(), "the token is the key's create revision")
	assert.Equal(t, strconv.FormatInt(a.FencingToken(), 10), ft.attr("lockable.fencing_token"))
	assert.Contains(t, string(key.Value), "TestFlash", "the test owns it")

	ft.finish()
	assert.Nil(t, lb.key(t, "env-0"), "released when the test ends")
	assert.Empty(t, ft.errors())
}

func TestLockabletestLostLeaseFailsTheTestAtOnce(t *testing.T) {
	lb := newLab(t, 1, "1s")
	lk := lb.lockable(t, "host-a")
	ft := newFakeTest(t, "TestSoak")
	var a *core.Allocation
	ft.run(func(tb lockabletest.TB) { a = lockabletest.Require(tb, anyServerText, lockabletest.WithLockable(lk)) })
	ft.requireNoFailure(t)
	require.NotNil(t, a)

	lb.revoke(t, "s0")
	require.True(t, closedWithin(ft.errored, lossBound), "the test fails while it runs")
	errs := ft.errors()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], fmt.Sprintf("lockabletest: lost s0 (allocation %s, fencing token %d) while the test held it", a.ID(), a.FencingToken()))
	assert.Contains(t, errs[0], "its lease expired, so another holder may have it now and this test's results cannot be trusted")
	assert.Contains(t, errs[0], "etcd says the lease expired", "and why")

	b, err := lb.lockable(t, "host-b").Lock(t.Context(), anyServer)
	require.NoError(t, err, "another holder can have it now")
	ft.finish()
	assert.Len(t, ft.errors(), 1, "the release that finds the loss does not report it again")
	assert.NoError(t, b.Err(), "the late release leaves the new holder alone")
	require.NoError(t, b.Unlock())
	assert.Zero(t, watchingGoroutines(), "the watch stopped with the test")
}

func TestLockabletestLossAsTheTestEndsIsReportedOnce(t *testing.T) {
	lb := newLab(t, 1, "1s")
	lk := lb.lockable(t, "host-a")
	ft := newFakeTest(t, "TestShort")
	var a *core.Allocation
	ft.run(func(tb lockabletest.TB) { a = lockabletest.Require(tb, anyServerText, lockabletest.WithLockable(lk)) })
	ft.requireNoFailure(t)
	lb.revoke(t, "s0")
	require.True(t, closedWithin(a.Lost(), lossBound))
	ft.finish() // the watch or the release, whichever reports it first
	errs := ft.errors()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "lockabletest: lost s0")
	assert.Zero(t, watchingGoroutines())
}

func TestLockabletestRequireManyOnEtcd(t *testing.T) {
	lb := newLab(t, 3, "1s")
	lk := lb.lockable(t, "host-a")
	ft := newFakeTest(t, "TestCluster")
	var as []*core.Allocation
	ft.run(func(tb lockabletest.TB) {
		as = lockabletest.RequireMany(tb, []string{anyServerText, anyServerText}, lockabletest.WithLockable(lk))
	})
	ft.requireNoFailure(t)
	require.Len(t, as, 2)
	assert.NotEqual(t, as[0].ResourceID(), as[1].ResourceID())
	tokens := make([]string, len(as))
	for i, a := range as {
		key := lb.key(t, a.ResourceID())
		require.NotNil(t, key)
		assert.Equal(t, key.CreateRevision, a.FencingToken())
		tokens[i] = strconv.FormatInt(a.FencingToken(), 10)
	}
	assert.Equal(t, strings.Join(tokens, " "), ft.attr("lockable.fencing_token"))
	assert.Equal(t, int64(2), lb.heldKeys(t))

	lb.revoke(t, as[1].ResourceID())
	require.True(t, closedWithin(ft.errored, lossBound))
	ft.finish()
	errs := ft.errors()
	require.Len(t, errs, 1, "only the lost one is reported")
	assert.Contains(t, errs[0], "lockabletest: lost "+as[1].ResourceID()+" (")
	assert.Zero(t, lb.heldKeys(t), "both released")
}

func TestLockabletestFleetMemberLost(t *testing.T) {
	lb := newLab(t, 1, "1s")
	lk := lb.lockable(t, "host-a")
	var out string
	code := withStdout(t, &out, func() int {
		fleet := lockabletest.NewFleet(map[string]string{"server": anyServerText}, lockabletest.WithLockable(lk))
		return lockabletest.Main(fakeMain(func() int {
			using := newFakeTest(t, "TestUsing")
			var a *core.Allocation
			using.run(func(tb lockabletest.TB) { a = fleet.Get(tb, "server") })
			using.requireNoFailure(t)
			assert.Equal(t, strconv.FormatInt(a.FencingToken(), 10), using.attr("lockable.fleet.server.fencing_token"))
			assert.NotZero(t, a.FencingToken())

			lb.revoke(t, "s0")
			require.True(t, closedWithin(using.errored, lossBound), "the test that holds it fails")
			using.finish()
			assert.Contains(t, using.errors()[0], "lockabletest: lost fleet member server, s0 (allocation")

			later := newFakeTest(t, "TestLater")
			later.run(func(tb lockabletest.TB) { fleet.Get(tb, "server") })
			later.finish()
			assert.Contains(t, later.failure(), "lockabletest: lost fleet member server, s0", "a later Get fails")
			assert.Contains(t, later.failure(), "before this test")
			return 0
		}), fleet)
	})
	assert.Equal(t, 1, code, "every test passed, but a member was lost")
	assert.Equal(t, 1, strings.Count(out, "lockabletest: lost fleet member server, s0"), "reported once: %s", out)
	assert.Contains(t, out, "while the tests ran")
	assert.Zero(t, lb.heldKeys(t))
	assert.Zero(t, watchingGoroutines())
}

// withStdout runs f with the standard output, where Main reports, going
// to *out instead.
func withStdout(t *testing.T, out *string, f func() int) int {
	t.Helper()
	file, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	require.NoError(t, err)
	defer file.Close()
	stdout := os.Stdout
	os.Stdout = file
	code := func() int {
		defer func() { os.Stdout = stdout }()
		return f()
	}()
	data, err := os.ReadFile(file.Name())
	require.NoError(t, err)
	*out = string(data)
	return code
}

// fakeMain runs tests as *testing.M does: it returns their exit code.
type fakeMain func() int

func (m fakeMain) Run() int { return m() }

// watchingGoroutines counts lockabletest's watches of lost locks.
func watchingGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "lockabletest.watch.func")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// fakeTest is a lockabletest.TB that records what lockabletest does to
// it. Fatalf and Skipf stop the calling goroutine, as on a *testing.T, so
// a body runs in a goroutine of its own: see run.
type fakeTest struct {
	name    string
	ctx     context.Context
	cancel  context.CancelFunc
	errored chan struct{} // closed at the first Errorf

	mu       sync.Mutex
	errs     []string
	fatal    string
	attrs    map[string]string
	cleanups []func()
}

func newFakeTest(t *testing.T, name string) *fakeTest {
	ctx, cancel := context.WithCancel(context.Background())
	ft := &fakeTest{name: name, ctx: ctx, cancel: cancel, errored: make(chan struct{}), attrs: map[string]string{}}
	t.Cleanup(ft.finish) // when the real test stops early
	return ft
}

// run runs body as the test's body and returns when it has returned or
// stopped.
func (f *fakeTest) run(body func(lockabletest.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(f)
	}()
	<-done
}

// finish ends the test as testing does: cancel its context, then run its
// cleanups, last first. Once.
func (f *fakeTest) finish() {
	f.cancel()
	f.mu.Lock()
	cleanups := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for _, c := range slices.Backward(cleanups) {
		c()
	}
}

func (f *fakeTest) requireNoFailure(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Empty(t, f.fatal)
	require.Empty(t, f.errs)
}

func (f *fakeTest) errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.errs)
}

func (f *fakeTest) failure() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fatal
}

func (f *fakeTest) attr(key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attrs[key]
}

func (f *fakeTest) Helper()                  {}
func (f *fakeTest) Name() string             { return f.name }
func (f *fakeTest) Context() context.Context { return f.ctx }
func (f *fakeTest) Logf(string, ...any)      {}

func (f *fakeTest) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeTest) Attr(key, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attrs[key] = value
}

func (f *fakeTest) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) == 0 {
		close(f.errored)
	}
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTest) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTest) Skipf(format string, args ...any) {
	f.Fatalf("skipped: "+format, args...)
}
