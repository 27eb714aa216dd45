//go:build unix

package lockabletest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maintenanceOf returns the maintenance resource id is in, nil if none.
func maintenanceOf(t *testing.T, lk *core.Lockable, id string) *core.Maintenance {
	t.Helper()
	st, err := lk.Status(context.Background(), query.MustParse("id="+id))
	require.NoError(t, err)
	require.Len(t, st.Fitting(), 1)
	return st.Fitting()[0].Maintenance
}

// A health check runs with the resource's variables; one that fails puts
// its resource in maintenance, the test gets another, and every run is in
// the test's log (go test -v shows it).
func TestHealthCheckQuarantinesAndLogs(t *testing.T) {
	lk, _ := newLab(t, phones(2))
	ft := newT("TestFlash")
	defer ft.finish()
	var a *core.Allocation
	check := `[ "$SERIAL" != SN0000 ] || { echo "adb: device $SERIAL offline"; exit 3; }`
	for range 10 { // random order: phone-0 comes first in about half the runs
		ft.run(func(t lockabletest.TB) {
			a = lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithHealthCheck(check, time.Minute))
		})
		fatal, _, _ := ft.outcome()
		require.Empty(t, fatal)
		assert.Equal(t, "phone-1", a.ResourceID())
		require.NoError(t, a.Unlock())
		if maintenanceOf(t, lk, "phone-0") != nil {
			break
		}
	}
	m := maintenanceOf(t, lk, "phone-0")
	require.NotNil(t, m, "phone-0 was checked in one of the runs")
	assert.Equal(t, "health check failed: exit status 3: adb: device SN0000 offline", m.Note)
	logs := strings.Join(ft.logLines(), "\n")
	assert.Regexp(t, `lockabletest: health check of phone-0 failed after \S+: exit status 3: adb: device SN0000 offline; putting phone-0 in maintenance, and trying another resource`, logs)
	assert.Regexp(t, `lockabletest: health check of phone-1 passed \(\S+\)`, logs)
}

// failWithCheck runs a test that requires a resource of lk, checked by
// check, and fails when it gets none; it returns the test's fatal
// message.
func failWithCheck(lk *core.Lockable, check string) string {
	ft := newT("TestFlash")
	defer ft.finish()
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithPolicy(lockabletest.Fail),
			lockabletest.WithHealthCheck(check, time.Minute))
	})
	fatal, _, _ := ft.outcome()
	return fatal
}

// When every fitting resource fails its check, the test fails with each
// one and why.
func TestEveryResourceFailsItsHealthCheck(t *testing.T) {
	lk, _ := newLab(t, phones(2))
	fatal := failWithCheck(lk, `echo "no $ID"; exit 1`)
	assert.Contains(t, fatal, "the 2 that fit are out of service:")
	assert.Contains(t, fatal, "[phone-0: health check failed after")
	assert.Contains(t, fatal, "exit status 1: no phone-0; in maintenance now]")
	assert.Contains(t, fatal, "exit status 1: no phone-1; in maintenance now]")
}

// A health check that cannot run on this host (not found, 127) fails the
// test, naming it, and puts no resource in maintenance: the typo is the
// test's, not the lab's.
func TestHealthCheckThatCannotRun(t *testing.T) {
	lk, _ := newLab(t, phones(2))
	fatal := failWithCheck(lk, `no-such-checker -s "$SERIAL"`)
	assert.Contains(t, fatal, "lab care check could not run: health check of phone-")
	assert.Contains(t, fatal, "exit status 127")
	assert.Contains(t, fatal, "nothing is put in maintenance")
	assert.Nil(t, maintenanceOf(t, lk, "phone-0"))
	assert.Nil(t, maintenanceOf(t, lk, "phone-1"))
	assert.True(t, isFree(t, lk, "id=phone-0"))
	assert.True(t, isFree(t, lk, "id=phone-1"))
}

// A cleanup runs when the test ends, while the resource is still locked;
// one that fails puts it in maintenance, which the log tells, and the
// test does not fail for it.
func TestCleanupAfterTheTest(t *testing.T) {
	lk, dir := newLab(t, phones(1))
	other := openLab(t, phones(1), dir)
	probe := filepath.Join(t.TempDir(), "probe")
	t.Setenv("PROBE", probe)

	ft := newT("TestFlash")
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithCleanup(`echo "$ID" >"$PROBE"; exit 0`, time.Minute))
	})
	ft.finish()
	data, err := os.ReadFile(probe)
	require.NoError(t, err)
	assert.Equal(t, "phone-0\n", string(data))
	assert.Regexp(t, `lockabletest: cleanup of phone-0 passed \(\S+\)`, strings.Join(ft.logLines(), "\n"))
	assert.True(t, isFree(t, other, ""))

	ft = newT("TestFlash")
	ft.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "", lockabletest.WithLockable(lk), lockabletest.WithCleanup(`echo "factory reset refused"; exit 4`, time.Minute))
	})
	ft.finish()
	_, _, errs := ft.outcome()
	assert.Empty(t, errs, "the test does not fail for the lab's device")
	logs := strings.Join(ft.logLines(), "\n")
	assert.Contains(t, logs, "lockabletest: cleanup of phone-0 failed after")
	assert.Contains(t, logs, "exit status 4: factory reset refused; putting phone-0 in maintenance before its release")
	assert.Regexp(t, `lockabletest: cleanup of phone-0 failed after \S+: exit status 4: factory reset refused; in maintenance now`, logs, "and the release says so")
	m := maintenanceOf(t, lk, "phone-0")
	require.NotNil(t, m)
	assert.Equal(t, "cleanup failed: exit status 4: factory reset refused", m.Note)
}

// The variables configure the checks as the options do; a resource's own
// health_check runs only when asked.
func TestHealthCheckFromTheEnvironment(t *testing.T) {
	m := newModule(t)
	lab := []map[string]any{{"id": "own-1", "hostname": host, "online": true, "health_check": "exit 7"}}
	writeLab(t, filepath.Join(m.root, "resources.json"), lab)
	locks := t.TempDir()

	r := requireIn(t, m.pkg, env{lockabletestHost: host, lockabletestLocks: locks, "LOCKABLE_HEALTH_CHECK": "true"}, "")
	assert.Equal(t, "own-1", r.id, "the list's command is not run unless asked")

	r = requireIn(t, m.pkg, env{lockabletestHost: host, lockabletestLocks: locks, "LOCKABLE_HEALTH_CHECK_FROM_LIST": "1"}, "")
	assert.Contains(t, r.fatal, "[own-1: health check failed after")
	assert.Contains(t, r.fatal, "exit status 7; in maintenance now]")

	r = requireIn(t, m.pkg, env{lockabletestHost: host, lockabletestLocks: t.TempDir(), "LOCKABLE_HEALTH_CHECK": "exit 5"}, "")
	assert.Contains(t, r.fatal, "exit status 5; in maintenance now]")
	r = requireIn(t, m.pkg, env{lockabletestHost: host, lockabletestLocks: t.TempDir(), "LOCKABLE_HEALTH_CHECK": "exit 5"}, "",
		lockabletest.WithHealthCheck("true", time.Minute))
	assert.Equal(t, "own-1", r.id, "the option wins over the variable")

	r = requireIn(t, m.pkg, env{"LOCKABLE_HEALTH_CHECK_TIMEOUT": "0"}, "")
	assert.Contains(t, r.fatal, "LOCKABLE_HEALTH_CHECK_TIMEOUT")
}
