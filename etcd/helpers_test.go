package etcd_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	_ "github.com/go-lockable/lockable/etcd"
	"github.com/go-lockable/lockable/internal/etcdtest"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/require"
)

// envEndpoints names the etcd server the tests use; .ci/run starts one
// and sets it.
const envEndpoints = "LOCKABLE_ETCD_ENDPOINTS"

// endpoints returns the test server's address, or skips the test when
// none is configured.
func endpoints(t testing.TB) string {
	t.Helper()
	e := os.Getenv(envEndpoints)
	if e == "" {
		t.Skip(envEndpoints + " is not set: .ci/run starts etcd and sets it")
	}
	return e
}

// lab is a test lab on an etcd server: a resources file and a key prefix
// of its own, deleted when the test ends.
type lab struct {
	endpoints string
	prefix    string
	ttl       string
	resources string // the resources file
	api       *etcdtest.Client
}

// newLab makes a lab of servers s0 ... s(n-1) on the test server, with
// leases of ttl.
func newLab(t testing.TB, n int, ttl string) *lab {
	t.Helper()
	return newLabAt(t, endpoints(t), n, ttl)
}

func newLabAt(t testing.TB, eps string, n int, ttl string) *lab {
	t.Helper()
	lb := &lab{endpoints: eps, prefix: "/lockable-test/" + uniqueName(t), ttl: ttl, resources: servers(t, n)}
	lb.api = etcdtest.New(strings.Split(eps, ",")[0])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		lb.api.DeletePrefix(ctx, lb.prefix+"/")
	})
	return lb
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName makes a key prefix element from the test's name.
func uniqueName(t testing.TB) string {
	var b [4]byte
	rand.Read(b[:])
	return unsafeName.ReplaceAllString(t.Name(), "_") + "-" + hex.EncodeToString(b[:])
}

// servers writes a resources file of n online servers that any host may
// use, and returns its path.
func servers(t testing.TB, n int) string {
	t.Helper()
	list := make([]map[string]any, n)
	for i := range list {
		list[i] = map[string]any{"id": fmt.Sprintf("s%d", i), "type": "server", "online": true}
	}
	data, err := json.Marshal(list)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "resources.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// anyServer fits every server of a lab, from any host.
var anyServer = query.MustParse(`{"type": "server", "hostname": null}`)

// url is the lab's backend URL.
func (lb *lab) url() string {
	return "etcd://" + lb.endpoints + lb.prefix + "?ttl=" + lb.ttl
}

// lockable returns a Lockable on the lab for a host, closed at the end.
func (lb *lab) lockable(t testing.TB, hostname string) *core.Lockable {
	t.Helper()
	lk, err := core.New(t.Context(), provider.File(lb.resources), core.WithBackend(lb.url()), core.WithHostname(hostname))
	require.NoError(t, err)
	t.Cleanup(func() { lk.Close() })
	return lk
}

// key reads a resource's lock key; nil when it is free.
func (lb *lab) key(t testing.TB, id string) *etcdtest.KeyValue {
	t.Helper()
	return lb.api.Get(t, lb.prefix+"/res/"+id)
}

// heldKeys counts the lab's lock keys.
func (lb *lab) heldKeys(t testing.TB) int64 {
	t.Helper()
	return lb.api.Count(t, lb.prefix+"/res/")
}

// revoke ends a holder's lease from outside, as an expiry would.
func (lb *lab) revoke(t testing.TB, id string) {
	t.Helper()
	kv := lb.key(t, id)
	require.NotNil(t, kv, "%s is held", id)
	lb.api.Revoke(t, kv.Lease)
}

// within returns a context that ends after d, or with the test.
func within(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// closedWithin reports whether ch is closed within d.
func closedWithin(ch <-chan struct{}, d time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}
