package lockabletest_test

import (
	"bytes"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watching counts the goroutines that watch a lock for its loss.
func watching() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte("lockabletest.watch.func"))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// gone asserts that no goroutine watches any more. A goroutine that
// closed its done channel may still be on its way out, as goleak knows,
// so this waits for it a little.
func gone(t *testing.T) {
	t.Helper()
	assert.Eventually(t, func() bool { return watching() == 0 }, 10*time.Second, time.Millisecond, "the watching goroutine ends")
}

func TestWatchReportsALossOnceAndStops(t *testing.T) {
	lost := make(chan struct{})
	var calls atomic.Int32
	called, release := make(chan struct{}), make(chan struct{})
	stop := lockabletest.Watch(lost, func() {
		calls.Add(1)
		close(called)
		<-release
	})
	assert.Equal(t, 1, watching(), "one goroutine watches")
	close(lost)
	select {
	case <-called:
	case <-time.After(time.Minute):
		t.Fatal("the loss was not reported")
	}
	stopped := make(chan struct{})
	go func() {
		stop()
		stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("stop returned while the report still ran")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("stop did not return once the report had")
	}
	assert.Equal(t, int32(1), calls.Load())
	gone(t)
}

func TestWatchStoppedBeforeALoss(t *testing.T) {
	lost := make(chan struct{})
	stop := lockabletest.Watch(lost, func() { t.Error("reported after stop") })
	stop()
	gone(t)
	close(lost) // too late: nothing reports it
}

func TestLockFolderIsNeverWatched(t *testing.T) {
	stop := lockabletest.Watch(nil, func() { t.Error("a nil channel reported a loss") })
	assert.Zero(t, watching(), "a nil channel starts nothing")
	stop()

	lk, _ := newLab(t, gatewayLab())
	lab := lockabletest.NewFleet(map[string]string{"gateway": "type=gateway"}, lockabletest.WithLockable(lk))
	lockabletest.Main(fakeM(func() int {
		ft := newT("TestRoute")
		var as []*core.Allocation
		ft.run(func(t lockabletest.TB) {
			as = append(lockabletest.RequireMany(t, []string{"type=phone", "type=phone"}, lockabletest.WithLockable(lk)),
				lab.Get(t, "gateway"))
		})
		require.Len(t, as, 3)
		for _, a := range as {
			assert.Nil(t, a.Lost(), "a file lock is lost only with its process")
			assert.Zero(t, a.FencingToken())
		}
		assert.Zero(t, watching(), "nothing watches a lock that cannot be lost")
		ft.finish()
		_, _, errs := ft.outcome()
		assert.Empty(t, errs)
		return 0
	}), lab)
	assert.Zero(t, watching())
}
