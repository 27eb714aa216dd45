package lockabletest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A test's priority, from WithPriority or LOCKABLE_PRIORITY, is its
// place in the lab's queue while it waits.
func TestPriorityReachesTheQueue(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		opts []lockabletest.Option
		want int
	}{
		{name: "default", want: 0},
		{name: "option", opts: []lockabletest.Option{lockabletest.WithPriority(7)}, want: 7},
		{name: "variable", env: "4", want: 4},
		{name: "option over variable", env: "4", opts: []lockabletest.Option{lockabletest.WithPriority(-2)}, want: -2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			resources := filepath.Join(dir, "resources.json")
			data, err := json.Marshal(phones(1))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(resources, data, 0o644))
			locks := filepath.Join(dir, "locks")
			holder := openLab(t, phones(1), locks)
			defer holder.Close()
			held, err := holder.Lock(t.Context(), query.MustParse(""), core.WithOwner("TestOther"))
			require.NoError(t, err)
			env := map[string]string{"LOCKABLE_RESOURCES": resources, "LOCKABLE_LOCK_FOLDER": locks,
				"LOCKABLE_HOSTNAME": host, "LOCKABLE_PRIORITY": tc.env}
			opts := append([]lockabletest.Option{lockabletest.WithEnvironment(func(k string) string { return env[k] }, dir),
				lockabletest.WithTimeout(time.Minute)}, tc.opts...)

			ft := newT("TestFlash")
			got := make(chan *core.Allocation, 1)
			go ft.run(func(t lockabletest.TB) { got <- lockabletest.Require(t, "type=phone", opts...) })
			var queue []core.Waiter
			for range holder.Changes(t.Context()) {
				st, err := holder.Status(t.Context(), nil)
				require.NoError(t, err)
				if queue = st.Queue; len(queue) > 0 {
					break
				}
			}
			require.Len(t, queue, 1)
			assert.Equal(t, tc.want, queue[0].Priority)
			assert.Equal(t, "TestFlash", queue[0].Owner)
			require.NoError(t, held.Unlock())
			assert.NotNil(t, <-got)
			ft.finish()
		})
	}
}
