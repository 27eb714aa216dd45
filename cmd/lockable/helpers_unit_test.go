package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/require"
)

// writeList writes a resources list into a temp dir and returns its path.
func writeList(t testing.TB, resources ...map[string]any) string {
	t.Helper()
	data, err := json.Marshal(resources)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "resources.json")
	require.NoError(t, os.WriteFile(path, data, 0o666))
	return path
}

// lab returns n online resources on host "lab-1" with ids dev-0, dev-1...
func lab(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"id": "dev-" + strconv.Itoa(i), "hostname": "lab-1", "online": true, "os": "android", "ram_gb": 8}
	}
	return out
}

// lockableFor returns a Lockable over items on host lab-1, with a temp
// lock folder.
func lockableFor(t *testing.T, items []map[string]any) *core.Lockable {
	t.Helper()
	lk, err := core.New(context.Background(), provider.List(items), core.WithHostname("lab-1"), core.WithLockFolder(t.TempDir()))
	require.NoError(t, err)
	return lk
}

// allocate holds resources from items in a temp lock folder, released
// when the test ends.
func allocate(t *testing.T, items []map[string]any, reqs ...string) []*core.Allocation {
	t.Helper()
	lk := lockableFor(t, items)
	qs := make([]*query.Query, len(reqs))
	for i, r := range reqs {
		qs[i] = query.MustParse(r)
	}
	allocs, err := lk.LockMany(context.Background(), qs)
	require.NoError(t, err)
	t.Cleanup(func() { _ = releaseAll(allocs) })
	return allocs
}

// runCLI runs lockable in this process and returns its exit status,
// stdout and stderr.
func runCLI(t testing.TB, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	code := run(context.Background(), args, environ, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}
