//go:build unix

package serve

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A holder frozen past its lease loses its lock: etcd deletes the key
// when the lease runs out, and the metrics count a lost lock.
func TestEtcdLostLockIsCounted(t *testing.T) {
	lab := etcdLab(t, "6s", phones(1)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	events.next(t)

	other := startHolder(t, lab, "id=phone-0", "frozen")
	other.expect(t, "locked")
	events.waitFor(t, "phone-0 held", func(r *eventReader) bool { return r.heldBy("phone-0") == other.pid() })
	require.NoError(t, syscall.Kill(other.pid(), syscall.SIGSTOP))
	t.Cleanup(func() { _ = syscall.Kill(other.pid(), syscall.SIGCONT) })
	events.waitFor(t, "phone-0 free once the lease ran out", func(r *eventReader) bool { return r.state("phone-0") == "free" })
	m := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(m, "lockable_locks_lost_total"))
	assert.Equal(t, 1.0, value(m, "lockable_hold_seconds"))
}
