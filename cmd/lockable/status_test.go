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
	require.NoError(t, writeTable(&b, asRows(sts, false), false, since.Add(95*time.Second)))
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
	require.NoError(t, writeTable(&b, asRows(sts, false), false, time.Now()))
	assert.Regexp(t, `^ID +STATE +HOLDER +SINCE +TOKEN +TTL\n`, b.String())
	assert.Regexp(t, `\na +held +alice@lab-1 pid 100 \(make test\) +- +4711 +9s\n`, b.String())
	assert.Regexp(t, `\nb +held +.* +12 +-\n`, b.String())
	assert.Regexp(t, `\nc +free +- +- +- +-\n$`, b.String())
}

func TestWriteTableExplained(t *testing.T) {
	sts := heldStatuses(t, 1)
	sts[0].State = core.Free
	sts[0].Mismatches = []query.Mismatch{{Field: "os", Condition: `"ios"`, Actual: `"android"`}, {Field: "x", Condition: "1"}}
	var b bytes.Buffer
	require.NoError(t, writeTable(&b, asRows(sts, true), true, time.Now()))
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
	sts[0].Token, sts[0].TTL = 4711, 9*time.Second
	var b bytes.Buffer
	require.NoError(t, writeJSON(&b, core.Status{Hostname: "lab-1", Resources: sts}))
	var got struct {
		Version   int              `json:"version"`
		Hostname  string           `json:"hostname"`
		Resources []map[string]any `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, core.StatusVersion, got.Version)
	assert.Equal(t, "lab-1", got.Hostname)
	require.Len(t, got.Resources, 2)
	assert.Equal(t, "held", got.Resources[0]["state"])
	assert.Equal(t, "make test", got.Resources[0]["holder"].(map[string]any)["owner"])
	assert.Equal(t, 4711.0, got.Resources[0]["fencing_token"])
	assert.Equal(t, 9.0, got.Resources[0]["ttl_seconds"])
	assert.Equal(t, map[string]any{"id": "b"}, got.Resources[1]["resource"])
	assert.NotContains(t, got.Resources[1], "holder")
	assert.NotContains(t, got.Resources[1], "fencing_token", "only a holder has a token")
	assert.NotContains(t, got.Resources[1], "fits", "nothing was measured")
}
