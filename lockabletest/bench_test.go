package lockabletest_test

import (
	"fmt"
	"testing"

	"github.com/go-lockable/lockable/lockabletest"
)

// BenchmarkRequire measures a test's whole use of a resource: Require,
// the attributes and the log line, and the release at the end of the
// test, on a lab of n phones of which the requirements fit one.
func BenchmarkRequire(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			lk, _ := newLab(b, phones(n))
			opt := lockabletest.WithLockable(lk)
			for b.Loop() {
				t := newT("TestFlash")
				t.run(func(t lockabletest.TB) { lockabletest.Require(t, "serial=SN0000", opt) })
				t.finish()
			}
		})
	}
}

// BenchmarkRequireMany is BenchmarkRequire for three resources at once.
func BenchmarkRequireMany(b *testing.B) {
	lk, _ := newLab(b, phones(10))
	opt := lockabletest.WithLockable(lk)
	reqs := []string{"type=phone", "type=phone", "type=phone"}
	for b.Loop() {
		t := newT("TestCall")
		t.run(func(t lockabletest.TB) { lockabletest.RequireMany(t, reqs, opt) })
		t.finish()
	}
}

// BenchmarkFleetGet measures a test taking a member of a held fleet.
func BenchmarkFleetGet(b *testing.B) {
	lk, _ := newLab(b, gatewayLab())
	fleet := lockabletest.NewFleet(map[string]string{"gateway": "type=gateway"}, lockabletest.WithLockable(lk))
	lockabletest.Main(fakeM(func() int {
		for b.Loop() {
			t := newT("TestRouting")
			t.run(func(t lockabletest.TB) { fleet.Get(t, "gateway") })
			t.finish()
		}
		return 0
	}), fleet)
}
