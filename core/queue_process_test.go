package core_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/queuetest"
	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	core.ChildRoles["queue-waiter"] = func() error {
		resources, locks := core.ChildLab()
		l, err := core.New(context.Background(), provider.File(resources), core.WithHostname(queuetest.Host), core.WithLockFolder(locks))
		if err != nil {
			return err
		}
		defer l.Close()
		return queuetest.Waiter(l)
	}
}

// folderBackend runs the queue's scenarios on a lock folder of the
// test's own, next to the resources file.
func folderBackend() queuetest.Backend {
	locks := func(resources string) string { return filepath.Join(filepath.Dir(resources), "locks") }
	return queuetest.Backend{
		Open: func(t testing.TB, resources string) *core.Lockable {
			l, err := core.New(t.Context(), provider.File(resources), core.WithHostname(queuetest.Host), core.WithLockFolder(locks(resources)))
			require.NoError(t, err)
			return l
		},
		Command: func(t testing.TB, resources string) *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = core.ChildEnv("queue-waiter", resources, locks(resources))
			return cmd
		},
		Left: func(t testing.TB, resources string) {
			left, err := os.ReadDir(filepath.Join(locks(resources), ".queue"))
			require.NoError(t, err)
			assert.Empty(t, left, "ticket files left in the queue's folder")
		},
	}
}

// The queue's scenarios on the lock folder; after each, its queue's
// folder holds no ticket file.
func TestQueueOnTheLockFolder(t *testing.T) {
	queuetest.Run(t, folderBackend())
}
