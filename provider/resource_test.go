package provider

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceAccessors(t *testing.T) {
	res, err := Validate("res.json", []byte(`[{"id": "p1", "hostname": "lab-1", "online": true,
		"ram_gb": 8, "big": 12345678901234567890, "tags": ["usb", "5g"], "network": {"ip": "10.1.2.3"}}]`))
	require.NoError(t, err)
	r := res[0]
	assert.Equal(t, "p1", r.ID())
	assert.Equal(t, "lab-1", r.Hostname())
	assert.True(t, r.Online())
	assert.Equal(t, "10.1.2.3", r.Get("network.ip").String())
	assert.Equal(t, "5g", r.Get("tags.1").String())
	assert.False(t, r.Get("missing").Exists())

	m, err := r.Map()
	require.NoError(t, err)
	assert.Equal(t, json.Number("12345678901234567890"), m["big"], "numbers keep every digit")
	assert.Equal(t, json.Number("8"), m["ram_gb"])
	assert.Equal(t, map[string]any{"ip": "10.1.2.3"}, m["network"])
}

func TestResourceHostnameAndOnlineNeedTheRightType(t *testing.T) {
	tests := []struct {
		json     string
		hostname string
		online   bool
	}{
		{`{"id": 1}`, "", false},
		{`{"id": 1, "hostname": 7, "online": "true"}`, "", false},
		{`{"id": 1, "hostname": null, "online": 1}`, "", false},
		{`{"id": 1, "hostname": "h", "online": false}`, "h", false},
		{`{"id": 1, "hostname": "", "online": true}`, "", true},
	}
	for _, tt := range tests {
		res, err := Validate("res.json", []byte("["+tt.json+"]"))
		require.NoError(t, err)
		assert.Equal(t, tt.hostname, res[0].Hostname(), tt.json)
		assert.Equal(t, tt.online, res[0].Online(), tt.json)
	}
}

func TestZeroResource(t *testing.T) {
	var r Resource
	assert.Empty(t, r.ID())
	assert.False(t, r.Get("id").Exists())
	assert.False(t, r.Online())
	_, err := r.Map()
	assert.Error(t, err)
}
