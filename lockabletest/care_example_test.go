//go:build unix

package lockabletest_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-lockable/lockable/lockabletest"
	"github.com/go-lockable/lockable/query"
)

func ExampleWithHealthCheck() {
	lab, cleanup := exampleLab()
	defer cleanup()

	// The check runs with the resource's variables; a real one asks the
	// device (adb -s "$SERIAL" get-state). A device that fails is put in
	// maintenance, and the test gets another: here there is none.
	t := newT("TestFlash")
	t.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "os=android", lockabletest.WithLockable(lab), lockabletest.WithPolicy(lockabletest.Fail),
			lockabletest.WithHealthCheck(`echo "adb: device $SERIAL not found"; exit 1`, time.Minute))
	})
	t.finish()
	fatal, _, _ := t.outcome()
	fmt.Println(strings.Contains(fatal, "the one that fits is out of service: [pixel-7-01: health check failed"))
	st, _ := lab.Status(context.Background(), query.MustParse("os=android"))
	for _, r := range st.Fitting() {
		fmt.Println(r.Resource.ID(), r.State, r.Maintenance.Note)
	}
	// Output:
	// true
	// pixel-7-01 maintenance health check failed: exit status 1: adb: device 28031FDH2000A1 not found
}
