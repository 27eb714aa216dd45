package lockabletest_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/go-lockable/lockable/lockabletest"
)

// fakeT is a lockabletest.TB that records what a helper does to it.
// Fatalf and Skipf stop the calling goroutine, as on a real *testing.T,
// so a helper under test runs in a goroutine of its own: see run.
type fakeT struct {
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	logs     []string
	errors   []string
	fatal    string
	skip     string
	attrs    []attr
	cleanups []func()
}

type attr struct{ key, value string }

// newT returns a fake test named name.
func newT(name string) *fakeT {
	ctx, cancel := context.WithCancel(context.Background())
	return &fakeT{name: name, ctx: ctx, cancel: cancel}
}

// run runs body as the test's body in a goroutine of its own, and
// returns when it has returned or been stopped.
func (f *fakeT) run(body func(t lockabletest.TB)) { runAs(f, body) }

func runAs(t lockabletest.TB, body func(t lockabletest.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(t)
	}()
	<-done
}

// finish ends the test as testing does: cancel its context, then run its
// cleanups, last registered first.
func (f *fakeT) finish() {
	f.cancel()
	f.mu.Lock()
	cleanups := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for _, c := range slices.Backward(cleanups) {
		c()
	}
}

func (f *fakeT) Helper()                  {}
func (f *fakeT) Name() string             { return f.name }
func (f *fakeT) Context() context.Context { return f.ctx }

func (f *fakeT) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeT) Attr(key, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attrs = append(f.attrs, attr{key, value})
}

func (f *fakeT) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeT) Skipf(format string, args ...any) {
	f.mu.Lock()
	f.skip = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// attr returns the last value recorded for key.
func (f *fakeT) attr(key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range slices.Backward(f.attrs) {
		if a.key == key {
			return a.value, true
		}
	}
	return "", false
}

func (f *fakeT) outcome() (fatal, skip string, errors []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fatal, f.skip, slices.Clone(f.errors)
}

// deadlineT is a fakeT with a -timeout deadline, as *testing.T has.
type deadlineT struct {
	*fakeT
	deadline time.Time
}

func (d deadlineT) Deadline() (time.Time, bool) { return d.deadline, true }

func (d deadlineT) run(body func(t lockabletest.TB)) { runAs(d, body) }

// logLines returns what the test logged so far.
func (f *fakeT) logLines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.logs)
}
