package command

import (
	"fmt"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvName(t *testing.T) {
	for field, want := range map[string]string{
		"id":         "ID",
		"ram_gb":     "RAM_GB",
		"model-name": "MODEL_NAME",
		"a.b c":      "A_B_C",
		"2fa":        "_2FA",
		"Élan":       "_LAN",
		"":           "",
		"_x9":        "_X9",
	} {
		assert.Equal(t, want, envName(field), "field %q", field)
	}
}

func TestFieldEnv(t *testing.T) {
	got := fieldEnv(`{"id": "a", "n": 1.50, "ok": true, "none": null,
		"tags": ["x", "y"], "net": {"ip": "10.0.0.1"}, "text": "two  spaces",
		"a-b": "first", "a_b": "second", "nul": "x\u0000y", "": "empty"}`, "", false)
	assert.Equal(t, []string{
		"ID=a", "N=1.50", "OK=true", "NONE=null", `TAGS=["x","y"]`,
		`NET={"ip":"10.0.0.1"}`, "TEXT=two  spaces", "A_B=first",
	}, got, "the first of fields with the same variable counts; NUL and empty names are left out")
	assert.Equal(t, []string{"ID_3=a"}, fieldEnv(`{"id": "a"}`, "_3", false))
}

// With --py-compat, the fields are named and written as the Python
// lockable does (PYL lockable/cli.py, main): the key upper-cased and
// nothing more, the value as Python's str() of it.
func TestFieldEnvPython(t *testing.T) {
	got := fieldEnv(`{"id": "a", "n": 1.50, "ok": true, "none": null,
		"tags": ["x", "y"], "net": {"ip": "10.0.0.1"}, "a-b": "dash", "a=b": "no"}`, "", true)
	assert.Equal(t, []string{
		"ID=a", "N=1.5", "OK=True", "NONE=None", "TAGS=['x', 'y']",
		"NET={'ip': '10.0.0.1'}", "A-B=dash",
	}, got, "a name with = cannot be a variable")
}

func TestResourceEnv(t *testing.T) {
	allocs := allocate(t, "id=dev-0", "id=dev-1")

	one := ResourceEnv(allocs[:1], false, false)
	assert.Contains(t, one, "ID=dev-0")
	assert.Contains(t, one, "LOCKABLE_RESOURCE_ID=dev-0")
	assert.Contains(t, one, "LOCKABLE_ALLOCATION_ID="+allocs[0].ID())
	assert.Contains(t, one, "LOCKABLE_FENCING_TOKEN=0", "the lock folder has no fencing tokens")
	assert.Contains(t, one, `LOCKABLE_RESOURCE={"hostname":"lab-1","id":"dev-0","online":true,"os":"android","ram_gb":8}`)
	assert.NotContains(t, one, "ID_0=dev-0")

	two := ResourceEnv(allocs, true, false)
	assert.Contains(t, two, "ID=dev-0")
	assert.Contains(t, two, "ID_0=dev-0")
	assert.Contains(t, two, "ID_1=dev-1")
	assert.Contains(t, two, "LOCKABLE_RESOURCE_ID_1=dev-1")
	assert.Contains(t, two, "LOCKABLE_ALLOCATION_ID_1="+allocs[1].ID())
	assert.Contains(t, two, "LOCKABLE_FENCING_TOKEN_1=0")
}

// allocate holds one resource of a lab of two (dev-0, dev-1) for each
// requirement, in a lock folder of the test's own.
func allocate(t *testing.T, reqs ...string) []*core.Allocation {
	t.Helper()
	var list []map[string]any
	for i := range 2 {
		list = append(list, map[string]any{"id": fmt.Sprintf("dev-%d", i), "hostname": "lab-1", "online": true, "os": "android", "ram_gb": 8})
	}
	lk, err := core.New(t.Context(), provider.List(list), core.WithHostname("lab-1"), core.WithLockFolder(t.TempDir()))
	require.NoError(t, err)
	t.Cleanup(func() { lk.Close() })
	qs := make([]*query.Query, len(reqs))
	for i, r := range reqs {
		qs[i] = query.MustParse(r)
	}
	as, err := lk.LockMany(t.Context(), qs)
	require.NoError(t, err)
	for _, a := range as {
		t.Cleanup(func() { a.Unlock() })
	}
	return as
}
