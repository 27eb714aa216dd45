package lockabletest_test

import (
	"flag"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequireHoldsUntilTheTestEnds(t *testing.T) {
	lk, dir := newLab(t, phones(1))
	other := openLab(t, phones(1), dir)
	ft := newT("TestFlash")
	var got *core.Allocation
	ft.run(func(t lockabletest.TB) {
		got = lockabletest.Require(t, `{"type": "phone"}`, lockabletest.WithLockable(lk))
	})
	fatal, skip, errs := ft.outcome()
	require.Empty(t, fatal)
	require.Empty(t, skip)
	require.NotNil(t, got)
	assert.Equal(t, "phone-0", got.ResourceID())
	assert.False(t, isFree(t, other, "type=phone"), "held while the test runs")
	assert.Equal(t, "TestFlash", holderOf(t, other, "phone-0").Owner)

	ft.finish()
	assert.True(t, isFree(t, other, "type=phone"), "released when the test ends")
	assert.Empty(t, errs)
}

func TestRequireRecordsAndLogs(t *testing.T) {
	lk, _ := newLab(t, []map[string]any{{
		"id": "pixel-7-01", "hostname": host, "online": true, "serial": "28031FDH2000A1",
		"network": map[string]any{"ip": "10.1.2.31"}, "note": "line one\nline two",
	}})
	ft := newT("TestFlash")
	defer ft.finish()
	var a *core.Allocation
	ft.run(func(t lockabletest.TB) {
		a = lockabletest.Require(t, " serial=28031FDH2000A1 ", lockabletest.WithLockable(lk),
			lockabletest.WithAttr("serial", "network", "note", "missing"))
	})
	require.NotNil(t, a)
	want := map[string]string{
		"lockable.resource.id":      "pixel-7-01",
		"lockable.allocation.id":    a.ID(),
		"lockable.fencing_token":    "0",
		"lockable.resource.serial":  "28031FDH2000A1",
		"lockable.resource.network": `{"ip":"10.1.2.31"}`,
		"lockable.resource.note":    "line one line two",
		"lockable.resource.missing": "",
	}
	for key, value := range want {
		got, ok := ft.attr(key)
		assert.True(t, ok, "attribute %s not recorded", key)
		assert.Equal(t, value, got, key)
	}
	require.Len(t, ft.logs, 1)
	assert.Regexp(t, `^lockabletest: holding pixel-7-01 for serial=28031FDH2000A1 \(allocation `+a.ID()+`, queued \d+(\.\d+)?m?s\)$`, ft.logs[0])
}

func TestRequireOwner(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	ft := newT("TestFlash")
	defer ft.finish()
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithOwner("nightly flash #42"))
	})
	assert.Equal(t, "nightly flash #42", holderOf(t, lk, "phone-0").Owner)
}

func TestRequireNoFitFailsWithTheExplanation(t *testing.T) {
	lk, _ := newLab(t, phones(2))
	ft := newT("TestFlash")
	defer ft.finish()
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, `{"type": "toaster"}`, lockabletest.WithLockable(lk))
		t.Errorf("Require returned")
	})
	fatal, skip, errs := ft.outcome()
	assert.Empty(t, skip)
	assert.Empty(t, errs, "the test goroutine stopped")
	assert.Contains(t, fatal, "lockabletest: no resource fits")
	assert.Contains(t, fatal, "phone-0", "the closest resources")
}

func TestRequirePolicyOption(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	tests := []struct {
		policy          lockabletest.Policy
		skip, fatal, by string
	}{
		{lockabletest.Skip, `no resource fits {"type":"toaster",`, "", "(skipped by WithPolicy(Skip))"},
		{lockabletest.Fail, "", `no resource fits {"type":"toaster",`, "(failed by WithPolicy(Fail))"},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			ft := newT("TestFlash")
			defer ft.finish()
			ft.run(func(t lockabletest.TB) {
				lockabletest.Require(t, "type=toaster", lockabletest.WithLockable(lk), lockabletest.WithPolicy(tc.policy))
			})
			fatal, skip, _ := ft.outcome()
			assertContainsOrEmpty(t, skip, tc.skip)
			assertContainsOrEmpty(t, fatal, tc.fatal)
			assert.Contains(t, fatal+skip, tc.by)
		})
	}
}

func assertContainsOrEmpty(t *testing.T, got, want string) {
	t.Helper()
	if want == "" {
		assert.Empty(t, got)
		return
	}
	assert.Contains(t, got, want)
}

func TestRequireMistakesFailWhateverThePolicy(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	tests := map[string]struct {
		requirements string
		opts         []lockabletest.Option
		want         string
	}{
		"bad requirements": {`{"ram_gb": {"$bigger": 8}}`, nil, `lockabletest: requirements: "ram_gb": $bigger: unknown operator`},
		"bad short form":   {"os", nil, `, in os`},
		"attr path space":  {"", []lockabletest.Option{lockabletest.WithAttr("serial number")}, `WithAttr("serial number")`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ft := newT("TestFlash")
			defer ft.finish()
			opts := append([]lockabletest.Option{lockabletest.WithLockable(lk), lockabletest.WithPolicy(lockabletest.Skip)}, tc.opts...)
			ft.run(func(t lockabletest.TB) { lockabletest.Require(t, tc.requirements, opts...) })
			fatal, skip, _ := ft.outcome()
			assert.Empty(t, skip)
			assert.Contains(t, fatal, tc.want)
			assert.True(t, isFree(t, lk, ""), "nothing held")
		})
	}
}

func TestRequireTimeoutSaysWhoHolds(t *testing.T) {
	lk, dir := newLab(t, phones(1))
	holder := newT("TestLongSoak")
	defer holder.finish()
	holder.run(func(t lockabletest.TB) { lockabletest.Require(t, "", lockabletest.WithLockable(lk)) })

	other := openLab(t, phones(1), dir) // as another test process
	ft := newT("TestFlash")
	defer ft.finish()
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(other), lockabletest.WithTimeout(20*time.Millisecond))
	})
	fatal, _, _ := ft.outcome()
	assert.Contains(t, fatal, "lockabletest: timed out after")
	assert.Contains(t, fatal, "phone-0 by")
	assert.Contains(t, fatal, "(TestLongSoak)")
	assert.Contains(t, fatal, "set LOCKABLE_TIMEOUT or use WithTimeout to wait longer")
}

func TestRequireWaitEndsBeforeTheTestDeadline(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	holder := newT("TestLongSoak")
	defer holder.finish()
	holder.run(func(t lockabletest.TB) { lockabletest.Require(t, "", lockabletest.WithLockable(lk)) })

	ft := deadlineT{fakeT: newT("TestFlash"), deadline: time.Now().Add(200 * time.Millisecond)}
	defer ft.finish()
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithTimeout(time.Hour))
	})
	fatal, _, _ := ft.outcome()
	assert.Contains(t, fatal, "lockabletest: timed out after")
	assert.Contains(t, fatal, "by the test binary's -timeout deadline")
}

func TestRequireQueuesUntilReleased(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	first := newT("TestFirst")
	first.run(func(t lockabletest.TB) { lockabletest.Require(t, "", lockabletest.WithLockable(lk)) })

	second := newT("TestSecond")
	defer second.finish()
	done := make(chan *core.Allocation, 1)
	go second.run(func(t lockabletest.TB) {
		done <- lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithTimeout(time.Minute))
	})
	waitHeldBy(t, lk, "phone-0", "TestFirst")
	first.finish()
	select {
	case a := <-done:
		assert.Equal(t, "phone-0", a.ResourceID())
		assert.Equal(t, "TestSecond", holderOf(t, lk, "phone-0").Owner)
	case <-time.After(time.Minute):
		t.Fatal("the second test did not get the phone")
	}
}

// waitHeldBy checks that id is held by owner now; Require returned, so
// no waiting is needed.
func waitHeldBy(t *testing.T, lk *core.Lockable, id, owner string) {
	t.Helper()
	require.Equal(t, owner, holderOf(t, lk, id).Owner)
}

func TestRequireParallelTestsGetDistinctResources(t *testing.T) {
	n := min(4, parallelism()) // they must all run at once
	lk, _ := newLab(t, phones(n))
	var mu sync.Mutex
	held := map[string]string{}
	all := sync.WaitGroup{}
	all.Add(n)
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(strings.Repeat("x", i+1), func(t *testing.T) {
				t.Parallel()
				a := lockabletest.Require(t, "type=phone", lockabletest.WithLockable(lk))
				mu.Lock()
				held[t.Name()] = a.ResourceID()
				mu.Unlock()
				all.Done()
				waitOthers(t, &all) // all n hold theirs at once
			})
		}
	})
	ids := map[string]bool{}
	for _, id := range held {
		ids[id] = true
	}
	assert.Len(t, ids, n, "distinct resources: %v", held)
}

func parallelism() int {
	n, _ := flag.Lookup("test.parallel").Value.(flag.Getter).Get().(int)
	return n
}

// waitOthers waits, bounded, until every parallel test has its resource.
func waitOthers(t *testing.T, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Error("the other parallel tests did not get their resources")
	}
}

func TestRequireManyAllOrNothing(t *testing.T) {
	lk, _ := newLab(t, append(phones(2), map[string]any{"id": "gw-01", "hostname": host, "online": true, "type": "gateway"}))
	ft := newT("TestRoute")
	var as []*core.Allocation
	ft.run(func(t lockabletest.TB) {
		as = lockabletest.RequireMany(t, []string{"type=gateway", "type=phone", "type=phone"},
			lockabletest.WithLockable(lk), lockabletest.WithAttr("type"))
	})
	require.Len(t, as, 3)
	assert.Equal(t, "gw-01", as[0].ResourceID())
	ids, _ := ft.attr("lockable.resource.id")
	assert.Equal(t, strings.Join([]string{as[0].ResourceID(), as[1].ResourceID(), as[2].ResourceID()}, " "), ids)
	types, _ := ft.attr("lockable.resource.type")
	assert.Equal(t, "gateway phone phone", types)
	tokens, _ := ft.attr("lockable.fencing_token")
	assert.Equal(t, "0 0 0", tokens, "the lock folder has no fencing tokens")
	assert.Len(t, ft.logs, 3)
	ft.finish()
	assert.True(t, isFree(t, lk, "type=gateway"))

	tooMany := newT("TestTooMany")
	defer tooMany.finish()
	tooMany.run(func(t lockabletest.TB) {
		lockabletest.RequireMany(t, []string{"type=gateway", "type=phone", "type=phone", "type=phone"}, lockabletest.WithLockable(lk))
	})
	fatal, _, _ := tooMany.outcome()
	assert.Contains(t, fatal, "no 4 distinct resources fit")
	for _, req := range []string{"type=gateway", "type=phone"} {
		assert.True(t, isFree(t, lk, req), "nothing held after a failed RequireMany")
	}
}

func TestRequireManyNothing(t *testing.T) {
	ft := newT("TestNothing")
	defer ft.finish()
	as := []*core.Allocation{}
	ft.run(func(t lockabletest.TB) { as = lockabletest.RequireMany(t, nil) })
	assert.Nil(t, as)
}

func TestRequireToleratesAnEarlyRelease(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	ft := newT("TestHandOver")
	ft.run(func(t lockabletest.TB) {
		a := lockabletest.Require(t, "", lockabletest.WithLockable(lk))
		if err := a.Unlock(); err != nil {
			t.Errorf("unlock: %v", err)
		}
	})
	ft.finish()
	_, _, errs := ft.outcome()
	assert.Empty(t, errs)
}

func TestRequireOneTryWithZeroTimeout(t *testing.T) {
	lk, _ := newLab(t, phones(1))
	ft := newT("TestNow")
	defer ft.finish()
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithTimeout(0))
	})
	fatal, _, _ := ft.outcome()
	assert.Empty(t, fatal, "a free resource is taken with one try")

	busy := newT("TestBusy")
	defer busy.finish()
	busy.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithTimeout(-time.Second))
	})
	fatal, _, _ = busy.outcome()
	assert.Contains(t, fatal, "timed out")
}

// A test that has to wait says so in its log: what it waits for and who
// holds it, again at a calm interval, and once more when it gets it.
func TestWaitingIsTold(t *testing.T) {
	lk, dir := newLab(t, phones(1))
	holder := openLab(t, phones(1), dir)
	held, err := holder.Lock(t.Context(), query.MustParse(""), core.WithOwner("TestOther"))
	require.NoError(t, err)
	ft := newT("TestFlash")
	defer ft.finish()
	got := make(chan *core.Allocation, 1)
	go ft.run(func(t lockabletest.TB) {
		got <- lockabletest.Require(t, "type=phone", lockabletest.WithLockable(lk),
			lockabletest.WithTimeout(time.Minute), lockabletest.WithWaitLogEvery(20*time.Millisecond))
	})
	still := func() bool {
		for _, l := range ft.logLines() {
			if strings.HasPrefix(l, "lockabletest: still waiting for ") {
				return true
			}
		}
		return false
	}
	require.Eventually(t, still, 10*time.Second, 5*time.Millisecond, "a line again while it waits")
	require.NoError(t, held.Unlock())
	a := <-got
	require.NotNil(t, a)

	logs := ft.logLines()
	require.GreaterOrEqual(t, len(logs), 4, "%q", logs)
	assert.Regexp(t, `^lockabletest: waiting up to 1m0s for \{"type":"phone","hostname":"bench-1","online":true\}: 1 fitting, held by phone-0: \S+ pid \d+ \(TestOther\)$`, logs[0])
	assert.Regexp(t, `^lockabletest: still waiting for \{"type":"phone".*\} after \d+(\.\d)?m?s: 1 fitting, held by phone-0: `, logs[1])
	assert.Regexp(t, `^lockabletest: got phone-0 after waiting \d+(\.\d)?m?s$`, logs[len(logs)-2])
	assert.Regexp(t, `^lockabletest: holding phone-0 for type=phone \(allocation `, logs[len(logs)-1])
}
