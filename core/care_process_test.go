package core

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lab care's child processes: the role "care", with childCareRole
// saying which.
const (
	childCareRole = "LOCKABLE_CORE_TEST_CARE"
	childQuery    = "LOCKABLE_CORE_TEST_QUERY"
	childID       = "LOCKABLE_CORE_TEST_ID"
	// childBound is how long the waiter waits, when not childWait.
	childBound = "LOCKABLE_CORE_TEST_BOUND"
)

// beforeSafetyNet bounds a waiter that only an event can serve: its
// deadline comes before its first look without one (safetyEvery).
const beforeSafetyNet = safetyEvery - time.Second

func childCare() error {
	roles := map[string]func() error{
		"check":    childCheckHangs,
		"wait":     childWaitsAndTells,
		"maintain": childMaintains,
	}
	run, ok := roles[os.Getenv(childCareRole)]
	if !ok {
		return fmt.Errorf("unknown care role %q", os.Getenv(childCareRole))
	}
	return run()
}

// childCheckHangs takes a resource with a health check that says
// "checking <id>" and then never ends (until its bound, childWait).
func childCheckHangs() error {
	l, err := childLockable()
	if err != nil {
		return err
	}
	hang := func(ctx context.Context, a *Allocation) error {
		fmt.Println("checking", a.ResourceID())
		<-ctx.Done()
		return ctx.Err()
	}
	_, err = l.Lock(context.Background(), q(""), WithHealthCheck(hang, childWait))
	return err
}

// childWaitsAndTells waits for a resource that fits childQuery, says
// "waiting" once it waits, then "got <id>" or "error <message>".
func childWaitsAndTells() error {
	waiting := make(chan struct{})
	l, err := New(context.Background(), childSource(), WithHostname(testHost), WithLockFolder(os.Getenv(childLocks)),
		WithLogger(waitingLogger(waiting)))
	if err != nil {
		return err
	}
	go func() {
		<-waiting
		fmt.Println("waiting")
	}()
	bound := childWait
	if d, err := time.ParseDuration(os.Getenv(childBound)); err == nil {
		bound = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	a, err := l.Lock(ctx, q(os.Getenv(childQuery)))
	if err != nil {
		fmt.Println("error", err)
		return nil
	}
	fmt.Println("got", a.ResourceID())
	return a.Unlock()
}

// childMaintains reads "start" or "end" lines and starts or ends the
// maintenance of childID, saying "ok" or "error <message>" each time.
func childMaintains() error {
	l, err := childLockable()
	if err != nil {
		return err
	}
	for in := bufio.NewScanner(os.Stdin); in.Scan(); {
		if in.Text() == "start" {
			_, err = l.StartMaintenance(context.Background(), os.Getenv(childID), "by the child", 0)
		} else {
			_, err = l.EndMaintenance(context.Background(), os.Getenv(childID))
		}
		if err != nil {
			fmt.Println("error", err)
			continue
		}
		fmt.Println("ok")
	}
	return nil
}

// A process killed (kill -9) in the middle of a health check leaves its
// resource free, not in maintenance: nothing is written before a check's
// outcome, and the kernel drops the lock.
func TestKilledDuringHealthCheckLeavesTheResourceFree(t *testing.T) {
	path, dir := lab(t, phones(1)...), t.TempDir()
	p := startRole(t, "care", path, dir, childCareRole+"=check")
	p.expect(t, "checking phone-0")
	l := newLockable(t, path, dir)
	assert.Equal(t, Held, statusOf(t, l, "phone-0").State, "held while it is checked")

	require.NoError(t, p.cmd.Process.Kill())
	require.Error(t, p.wait(t))
	st := statusOf(t, l, "phone-0")
	assert.Equal(t, Free, st.State)
	assert.Nil(t, st.Maintenance)
	assert.NoFileExists(t, filepath.Join(dir, "phone-0.maintenance"))
	a, err := l.TryLock(t.Context(), q(""))
	require.NoError(t, err)
	require.NotNil(t, a)
	require.NoError(t, a.Unlock())
}

// A maintenance started by one process reaches a waiter in another at
// once: it stops waiting for the resource, here its only one, and says
// why. Were it not seen, the waiter would still wait when the holder
// releases, and get the resource.
func TestWaiterInAnotherProcessSeesMaintenanceStart(t *testing.T) {
	path, dir := lab(t, phones(1)...), t.TempDir()
	l := newLockable(t, path, dir)
	held, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)
	p := startRole(t, "care", path, dir, childCareRole+"=wait")
	p.expect(t, "waiting")
	_, err = l.StartMaintenance(t.Context(), "phone-0", "battery swollen", 0)
	require.NoError(t, err)
	msg := p.expect(t, "error")
	assert.Contains(t, msg, "no resource fits")
	assert.Contains(t, msg, "[phone-0: in maintenance since")
	assert.Contains(t, msg, ": battery swollen]")
	require.NoError(t, p.wait(t))
	require.NoError(t, held.Unlock())
}

// The end of a maintenance reaches a waiter in another process at once:
// it takes the resource while the other one it waited for is still held,
// before its deadline, which comes before its first look without an
// event.
func TestWaiterInAnotherProcessSeesMaintenanceEnd(t *testing.T) {
	path, dir := lab(t, phones(2)...), t.TempDir()
	l := newLockable(t, path, dir)
	held, err := l.Lock(t.Context(), q("id=phone-1"))
	require.NoError(t, err)
	defer held.Unlock()
	_, err = l.StartMaintenance(t.Context(), "phone-0", "x", 0)
	require.NoError(t, err)

	p := startRole(t, "care", path, dir, childCareRole+"=wait", childBound+"="+beforeSafetyNet.String())
	p.expect(t, "waiting")
	_, err = l.EndMaintenance(t.Context(), "phone-0")
	require.NoError(t, err)
	assert.Equal(t, "phone-0", p.expect(t, "got"))
	require.NoError(t, p.wait(t))
}

// childSource is the children's resources list.
func childSource() Source { return provider.File(os.Getenv(childResources)) }
