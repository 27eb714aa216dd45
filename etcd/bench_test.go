package etcd_test

import (
	"slices"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
)

// One Lock and Unlock of a free server: a read of the lock keys, a lease
// grant and a transaction; then a transaction and a revoke.
func BenchmarkLockUnlock(b *testing.B) {
	lb := newLab(b, 1, "10s")
	lk := lb.lockable(b, "host-a")
	for b.Loop() {
		a, err := lk.Lock(b.Context(), anyServer)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Unlock(); err != nil {
			b.Fatal(err)
		}
	}
}

// LockMany of 3 servers out of 3, then their release.
func BenchmarkLockManyUnlock(b *testing.B) {
	lb := newLab(b, 3, "10s")
	lk := lb.lockable(b, "host-a")
	for b.Loop() {
		as, err := lk.LockMany(b.Context(), []*query.Query{anyServer, anyServer, anyServer})
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range as {
			if err := a.Unlock(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// From the start of one host's release to the waiting host's allocation,
// through etcd's watch (two Lockables, two clients). Reports the median
// and the 99th percentile in ms.
func BenchmarkHandover(b *testing.B) {
	lb := newLab(b, 1, "10s")
	holder, waiter := lb.lockable(b, "host-a"), lb.lockable(b, "host-b")
	var took []time.Duration
	for b.Loop() {
		a, err := holder.Lock(b.Context(), anyServer)
		if err != nil {
			b.Fatal(err)
		}
		got := make(chan *core.Allocation)
		go func() {
			w, err := waiter.Lock(b.Context(), anyServer)
			if err != nil {
				b.Error(err)
			}
			got <- w
		}()
		time.Sleep(20 * time.Millisecond) // let the waiter start waiting
		released := time.Now()
		if err := a.Unlock(); err != nil {
			b.Fatal(err)
		}
		w := <-got
		took = append(took, time.Since(released))
		if w == nil {
			b.FailNow()
		}
		if err := w.Unlock(); err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
