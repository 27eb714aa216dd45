package core

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/require"
)

// testHost is the hostname of the test lab's local resources.
const testHost = "bench-1"

// lab writes resources as a resources file in a temp dir and returns its
// path.
func lab(t testing.TB, resources ...map[string]any) string {
	t.Helper()
	data, err := json.Marshal(resources)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "resources.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// phones returns n online local resources phone-0 ... phone-(n-1).
func phones(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"id": fmt.Sprintf("phone-%d", i), "hostname": testHost, "online": true, "type": "phone"}
	}
	return out
}

// newLockable returns a Lockable over the resources file at path with its
// own lock folder dir.
func newLockable(t testing.TB, path, dir string) *Lockable {
	t.Helper()
	l, err := New(t.Context(), provider.File(path), WithHostname(testHost), WithLockFolder(dir))
	require.NoError(t, err)
	return l
}

// newLab is lab plus newLockable with a fresh lock folder.
func newLab(t testing.TB, resources ...map[string]any) (*Lockable, string) {
	t.Helper()
	dir := t.TempDir()
	return newLockable(t, lab(t, resources...), dir), dir
}

func q(s string) *query.Query { return query.MustParse(s) }

// statuses returns the status of every resource of l's list.
func statuses(t testing.TB, l *Lockable) ([]ResourceStatus, error) {
	t.Helper()
	st, err := l.Status(t.Context(), nil)
	return st.Resources, err
}
