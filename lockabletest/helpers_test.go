package lockabletest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/require"
)

// host is the hostname of the test labs' local resources.
const host = "bench-1"

// phones returns n online local phones phone-0 ... phone-(n-1).
func phones(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{
			"id": fmt.Sprintf("phone-%d", i), "hostname": host, "online": true,
			"type": "phone", "serial": fmt.Sprintf("SN%04d", i),
		}
	}
	return out
}

// newLab returns a Lockable over resources with a lock folder of its own,
// and that folder.
func newLab(t testing.TB, resources []map[string]any) (*core.Lockable, string) {
	t.Helper()
	dir := t.TempDir()
	return openLab(t, resources, dir), dir
}

// openLab returns another Lockable over resources on lock folder dir, as
// another test process would have.
func openLab(t testing.TB, resources []map[string]any, dir string) *core.Lockable {
	t.Helper()
	lk, err := core.New(context.Background(), provider.List(resources), core.WithHostname(host), core.WithLockFolder(dir))
	require.NoError(t, err)
	return lk
}

// isFree reports whether one try takes a resource that fits requirements
// on lk's lock folder (and releases it at once).
func isFree(t testing.TB, lk *core.Lockable, requirements string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 0) // one try, no wait
	defer cancel()
	a, err := lk.Lock(ctx, query.MustParse(requirements))
	if err != nil {
		require.ErrorIs(t, err, core.ErrTimeout)
		return false
	}
	require.NoError(t, a.Unlock())
	return true
}

// holderOf returns who holds resource id, as lk's status tells.
func holderOf(t testing.TB, lk *core.Lockable, id string) core.Holder {
	t.Helper()
	st, err := lk.Status(context.Background(), nil)
	sts := st.Resources
	require.NoError(t, err)
	for _, st := range sts {
		if st.Resource.ID() == id {
			require.Equal(t, core.Held, st.State, "%s is not held", id)
			return st.Holder
		}
	}
	t.Fatalf("no resource %s", id)
	return core.Holder{}
}

func mustParse(s string) *query.Query { return query.MustParse(s) }
