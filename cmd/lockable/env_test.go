package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
	allocs := allocate(t, lab(2), `id=dev-0`, `id=dev-1`)

	one := resourceEnv(allocs[:1], false, false)
	assert.Contains(t, one, "ID=dev-0")
	assert.Contains(t, one, "LOCKABLE_RESOURCE_ID=dev-0")
	assert.Contains(t, one, "LOCKABLE_ALLOCATION_ID="+allocs[0].ID())
	assert.Contains(t, one, "LOCKABLE_FENCING_TOKEN=0", "the lock folder has no fencing tokens")
	assert.Contains(t, one, `LOCKABLE_RESOURCE={"hostname":"lab-1","id":"dev-0","online":true,"os":"android","ram_gb":8}`)
	assert.NotContains(t, one, "ID_0=dev-0")

	two := resourceEnv(allocs, true, false)
	assert.Contains(t, two, "ID=dev-0")
	assert.Contains(t, two, "ID_0=dev-0")
	assert.Contains(t, two, "ID_1=dev-1")
	assert.Contains(t, two, "LOCKABLE_RESOURCE_ID_1=dev-1")
	assert.Contains(t, two, "LOCKABLE_ALLOCATION_ID_1="+allocs[1].ID())
	assert.Contains(t, two, "LOCKABLE_FENCING_TOKEN_1=0")
}
