//go:build unix

package etcd_test

import (
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/queuetest"
	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The queue's scenarios on the real etcd server, each on a prefix of its
// own, with leases of 2s: a killed waiter's ticket goes with its lease.
func TestQueueOnEtcd(t *testing.T) {
	eps := endpoints(t)
	var mu sync.Mutex
	labs := map[string]*lab{} // by resources file
	labOf := func(t testing.TB, resources string) *lab {
		mu.Lock()
		defer mu.Unlock()
		lb, ok := labs[resources]
		if !ok {
			lb = newLabAt(t, eps, 0, "2s")
			lb.resources = resources
			labs[resources] = lb
		}
		return lb
	}
	queuetest.Run(t, queuetest.Backend{
		Open: func(t testing.TB, resources string) *core.Lockable {
			lk, err := core.New(t.Context(), provider.File(resources), core.WithBackend(labOf(t, resources).url()), core.WithHostname(queuetest.Host))
			require.NoError(t, err)
			return lk
		},
		Command: func(t testing.TB, resources string) *exec.Cmd {
			lb := labOf(t, resources)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envRole+"=queue-waiter", envURL+"="+lb.url(), envResources+"="+resources,
				envHost+"="+queuetest.Host, "GORACE=atexit_sleep_ms=0")
			return cmd
		},
		DeadWaiterBound: 3 * time.Second,
		Left: func(t testing.TB, resources string) {
			lb := labOf(t, resources)
			assert.Zero(t, lb.api.Count(t, lb.prefix+"/queue/"), "ticket keys left in the queue")
		},
	})
}
