package serve

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"

	_ "github.com/go-lockable/lockable/etcd" // the etcd backend, for these tests only
)

// envEtcdEndpoints names the etcd server of the tests that need one.
const envEtcdEndpoints = "LOCKABLE_ETCD_ENDPOINTS"

// etcdLab is a lab whose locks are in etcd, under a prefix of its own,
// on leases of ttl; the test skips without an etcd server.
func etcdLab(t *testing.T, ttl string, resources ...map[string]any) *testLab {
	t.Helper()
	eps := os.Getenv(envEtcdEndpoints)
	if eps == "" {
		t.Skip(envEtcdEndpoints + " is not set: .ci/run starts etcd and sets it")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	lab := newTestLab(t, resources...)
	lab.backend = "etcd://" + eps + "/lockabletest/serve-" + hex.EncodeToString(b[:]) + "?ttl=" + ttl
	return lab
}

func TestEtcdLocksShowTheirFencingTokenAndLease(t *testing.T) {
	lab := etcdLab(t, "10s", phones(2)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	events.next(t)

	other := startHolder(t, lab, "id=phone-0", "on etcd")
	other.expect(t, "locked")
	events.waitFor(t, "phone-0 held", func(r *eventReader) bool { return r.heldBy("phone-0") == other.pid() })
	got := events.lab["phone-0"]
	assert.Positive(t, got.Token, "a fencing token")
	assert.Greater(t, got.TTL, 0.0)
	assert.LessOrEqual(t, got.TTL, 10.0)

	other.release(t)
	events.waitFor(t, "phone-0 free", func(r *eventReader) bool { return r.state("phone-0") == "free" })
	m := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(m, "lockable_hold_seconds"))
	assert.Equal(t, 0.0, value(m, "lockable_locks_lost_total"), "a release is not a loss")
}
