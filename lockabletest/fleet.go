package lockabletest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/core"
)

// Fleet is a named set of resources that all the tests of a package
// share: Main holds them before the tests run and releases them when
// the tests are done; a test takes one by name with Get.
//
//	var lab = lockabletest.NewFleet(map[string]string{
//		"gateway": `{"type": "gateway"}`,
//	})
//
//	func TestMain(m *testing.M) { os.Exit(lockabletest.Main(m, lab)) }
//
//	func TestRouting(t *testing.T) {
//		gw := lab.Get(t, "gateway")
//		...
//	}
//
// A Fleet is safe for use by parallel tests.
type Fleet struct {
	members map[string]string
	names   []string // sorted
	opts    []Option
	out     io.Writer // where Main reports

	mu   sync.Mutex
	plan plan
	held map[string]*core.Allocation // nil until Main holds the fleet
	err  error                       // why Main could not hold it
	lost map[string]bool             // members whose loss Main reported
}

// NewFleet returns a fleet of members: for each name, the requirements of
// one resource, in either form Require takes. The options apply to Main's
// allocation (its timeout, owner and Lockable) and to Get (the policy and
// WithAttr fields). Names must be non-empty and without spaces: they are
// part of the test attributes Get records.
func NewFleet(members map[string]string, opts ...Option) *Fleet {
	return &Fleet{members: members, names: slices.Sorted(maps.Keys(members)), opts: opts, out: os.Stdout}
}

// Get returns the fleet's member name, held since Main started. It
// records it on the test as the attributes
// lockable.fleet.<name>.resource.id, lockable.fleet.<name>.allocation.id,
// lockable.fleet.<name>.fencing_token and
// lockable.fleet.<name>.resource.<path> for the WithAttr fields, and
// logs one line saying so. When the fleet could not be held, Get skips or
// fails the test by Policy; an unknown name, or a fleet that Main did
// not hold, fails it.
//
// A member whose lock was lost (its lease expired, see the package
// documentation) fails the test at Get, whatever the Policy; one lost
// after Get, while the test runs, fails it at once with t.Errorf, as
// Require's do.
//
// Get must be called from the goroutine running the test.
func (f *Fleet) Get(t TB, name string) *core.Allocation {
	t.Helper()
	f.mu.Lock()
	p, err, a := f.plan, f.err, f.held[name]
	f.mu.Unlock()
	switch {
	case !f.has(name):
		t.Fatalf("lockabletest: the fleet has no member %q; it has %s", name, strings.Join(f.names, ", "))
	case err != nil:
		p.unavailable(t, fmt.Errorf("fleet not held: %w", err))
	case a == nil:
		t.Fatalf("lockabletest: the fleet is not held: call os.Exit(lockabletest.Main(m, fleet)) in TestMain")
	case a.Err() != nil:
		t.Fatalf("lockabletest: lost %s before this test: its lease expired, so another holder may have it now (%s)",
			memberText(name, a), lossCause(a))
	}
	g := guardLoss(t, a, memberText(name, a))
	t.Cleanup(g.stopAndCheck)
	record(t, "lockable.fleet."+name+".", []*core.Allocation{a}, p.attrs)
	t.Logf("lockabletest: using %s of the fleet: %s (allocation %s, held since %s)",
		name, a.ResourceID(), a.ID(), a.StartTime().Format(time.TimeOnly))
	return a
}

func (f *Fleet) has(name string) bool {
	_, ok := f.members[name]
	return ok
}

// hold allocates the members, or records why it could not.
func (f *Fleet) hold(deadline time.Time, ok bool) {
	p := newPlan(newOptions(f.opts), "TestMain ("+filepath.Base(os.Args[0])+")")
	p.capTo(deadline, ok)
	as, err := f.allocate(&p)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plan, f.err = p, err
	if err != nil {
		fmt.Fprintf(f.out, "lockabletest: fleet not held, tests that use it will %s: %v\n", p.verdict(err), err)
		return
	}
	f.held = map[string]*core.Allocation{}
	for i, name := range f.names {
		f.held[name] = as[i]
	}
}

func (f *Fleet) allocate(p *plan) ([]*core.Allocation, error) {
	if err := checkNames(f.names); err != nil && p.err == nil {
		p.err = err
	}
	reqs := make([]string, len(f.names))
	for i, name := range f.names {
		reqs[i] = f.members[name]
	}
	return p.lockAll(context.Background(), reqs, func(format string, args ...any) {
		fmt.Fprintf(f.out, format+"\n", args...)
	})
}

// watch reports, on Main's output, a member lost while the tests run,
// until stop is called; stop returns once every watch has stopped.
func (f *Fleet) watch() (stop func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	stops := make([]func(), 0, len(f.held))
	for name, a := range f.held {
		stops = append(stops, watch(a.Lost(), func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.reportLost(name, a)
		}))
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// reportLost says on Main's output that member name was lost, once.
// f.mu is held.
func (f *Fleet) reportLost(name string, a *core.Allocation) {
	if f.lost[name] {
		return
	}
	if f.lost == nil {
		f.lost = map[string]bool{}
	}
	f.lost[name] = true
	fmt.Fprintf(f.out, "lockabletest: lost %s while the tests ran: its lease expired, so another holder may have had it and the results of the tests that used it cannot be trusted (%s)\n",
		memberText(name, a), lossCause(a))
}

// release gives the members back; it reports whether that failed or a
// member had been lost.
func (f *Fleet) release() (failed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == nil {
		return false // Main could not hold it
	}
	for _, name := range f.names {
		a := f.held[name]
		err := a.Unlock()
		switch {
		case errors.Is(err, core.ErrLost):
			f.reportLost(name, a)
		case errors.Is(err, core.ErrCheckFailed):
			fmt.Fprintf(f.out, "lockabletest: fleet release %s: %v\n", name, err)
			err = nil // in maintenance now: told, not a failure of the tests
		case err != nil:
			fmt.Fprintf(f.out, "lockabletest: fleet release %s: %v\n", name, err)
		}
		failed = failed || err != nil || f.lost[name]
	}
	return failed
}

// close closes the Lockable Main's plan opened, telling Main's output
// if that fails.
func (f *Fleet) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.plan.close(); err != nil {
		fmt.Fprintf(f.out, "lockabletest: fleet: %v\n", err)
	}
}

func checkNames(names []string) error {
	for _, name := range names {
		if !attrKeyPart(name) {
			return fmt.Errorf("fleet member name %q: a name must be non-empty and without spaces, as t.Attr keys are", name)
		}
	}
	return nil
}
