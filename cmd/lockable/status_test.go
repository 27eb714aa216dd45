package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteTable(t *testing.T) {
	since := time.Date(2025, 3, 4, 10, 2, 3, 0, time.Local)
	sts := heldStatuses(t, 2)
	sts[0].Holder.Since = since
	sts[1].State, sts[1].Holder = core.Offline, core.Holder{}
	var b bytes.Buffer
	require.NoError(t, writeTable(&b, asRows(sts), false, since.Add(95*time.Second)))
	assert.Equal(t, ""+
		"ID  STATE    HOLDER                           SINCE\n"+
		"a   held     alice@lab-1 pid 100 (make test)  2025-03-04 10:02:03 (1m35s)\n"+
		"b   offline  -                                -\n", b.String())
}

func TestWriteTableLeases(t *testing.T) {
	sts := heldStatuses(t, 3)
	sts[0].Token, sts[0].TTL = 4711, 9*time.Second
	sts[1].Token = 12 // a lease time etcd did not tell
	sts[2].State, sts[2].Holder = core.Free, core.Holder{}
	var b bytes.Buffer
	require.NoError(t, writeTable(&b, asRows(sts), false, time.Now()))
	assert.Regexp(t, `^ID +STATE +HOLDER +SINCE +TOKEN +TTL\n`, b.String())
	assert.Regexp(t, `\na +held +alice@lab-1 pid 100 \(make test\) +- +4711 +9s\n`, b.String())
	assert.Regexp(t, `\nb +held +.* +12 +-\n`, b.String())
	assert.Regexp(t, `\nc +free +- +- +- +-\n$`, b.String())
}

func TestWriteTableExplained(t *testing.T) {
	sts := heldStatuses(t, 1)
	sts[0].State = core.Free
	fit := core.Fit{Resource: sts[0].Resource, Mismatches: []query.Mismatch{{Field: "os", Condition: `"ios"`, Actual: `"android"`}, {Field: "x", Condition: "1"}}}
	var b bytes.Buffer
	require.NoError(t, writeTable(&b, []row{{status: sts[0], fit: &fit}}, true, time.Now()))
	assert.Equal(t, ""+
		"ID  STATE  HOLDER  SINCE  FIT\n"+
		"a   free   -       -      os: want \"ios\", have \"android\"; x: want 1, missing\n", b.String())
}

func TestHolderText(t *testing.T) {
	assert.Equal(t, "pid 7", core.Holder{PID: 7}.Who(), "a Python lockable's lock says only its pid")
	assert.Equal(t, "bob@h pid 7 (ci)", core.Holder{User: "bob", Hostname: "h", PID: 7, Owner: "ci"}.Who())
}

func TestWriteJSON(t *testing.T) {
	sts := heldStatuses(t, 2)
	sts[1].State = core.Free
	var b bytes.Buffer
	require.NoError(t, writeJSON(&b, asRows(sts), false))
	var got []map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	require.Len(t, got, 2)
	assert.Equal(t, "held", got[0]["state"])
	assert.Equal(t, "make test", got[0]["holder"].(map[string]any)["owner"])
	assert.NotContains(t, got[0], "fencing_token", "the lock folder has no tokens")
	assert.NotContains(t, got[0], "ttl_seconds", "the lock folder's locks do not expire")
	assert.Equal(t, map[string]any{"id": "b"}, got[1]["resource"])
	assert.NotContains(t, got[1], "holder")

	fit := core.Fit{Resource: sts[1].Resource, Mismatches: []query.Mismatch{{Field: "os", Condition: `"ios"`}}}
	b.Reset()
	require.NoError(t, writeJSON(&b, []row{{status: sts[1], fit: &fit}}, true))
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, false, got[0]["fits"])
	assert.Equal(t, []any{map[string]any{"field": "os", "condition": "ios"}}, got[0]["mismatches"])
}

func TestWriteJSONLeases(t *testing.T) {
	sts := heldStatuses(t, 1)
	sts[0].Token, sts[0].TTL = 4711, 9*time.Second
	fit := core.Fit{Resource: sts[0].Resource}
	for _, explain := range []bool{false, true} {
		var b bytes.Buffer
		require.NoError(t, writeJSON(&b, []row{{status: sts[0], fit: &fit}}, explain))
		var got []map[string]any
		require.NoError(t, json.Unmarshal(b.Bytes(), &got))
		require.Len(t, got, 1)
		assert.Equal(t, 4711.0, got[0]["fencing_token"], "explain=%t", explain)
		assert.Equal(t, 9.0, got[0]["ttl_seconds"], "explain=%t", explain)
	}
}

func TestExplainedJoinsByID(t *testing.T) {
	sts := heldStatuses(t, 3)
	fits := []core.Fit{{Resource: sts[2].Resource}, {Resource: sts[0].Resource}}
	rows := explained(sts, fits)
	require.Len(t, rows, 2, "a resource without a fit (the list changed) is left out")
	assert.Equal(t, "a", rows[0].fit.Resource.ID())
	assert.Equal(t, "c", rows[1].fit.Resource.ID())
}
