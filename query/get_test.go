package query

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGetWalksPathsAsRequirementsDo(t *testing.T) {
	const res = `{"id": "p1", "ram_gb": 8, "online": true, "tags": ["usb", "5g"],
		"network": {"ip": "10.1.2.3"}, "sims": [{"carrier": "acme", "slot": 0}, {"carrier": "zeta", "slot": 1}],
		"#": "hash", "a\u002eb": 1, "nothing": null}`
	tests := []struct {
		path, raw, str string
	}{
		{"id", `"p1"`, "p1"},
		{"ram_gb", "8", "8"},
		{"network.ip", `"10.1.2.3"`, "10.1.2.3"},
		{"tags", `["usb", "5g"]`, `["usb", "5g"]`},
		{"tags.0", `"usb"`, "usb"},
		{"tags.1", `"5g"`, "5g"},
		{"sims.carrier", `["acme","zeta"]`, `["acme","zeta"]`},
		{"sims.1.carrier", `"zeta"`, "zeta"},
		{"#", `"hash"`, "hash"},
		{"nothing", "null", "null"},
		{"tags.#", "", ""},
		{"tags.2", "", ""},
		{"network.ip.x", "", ""},
		{"missing", "", ""},
		{"a..b", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		v := Get(res, tt.path)
		assert.Equal(t, tt.raw, v.Raw(), tt.path)
		assert.Equal(t, tt.str, v.String(), tt.path)
		assert.Equal(t, tt.raw != "", v.Exists(), tt.path)
	}
	// Whatever Get reaches, a requirement on the same path tests.
	assert.True(t, MustParse(`{"sims.carrier": "zeta"}`).Match(res))
	assert.Equal(t, "zeta", Get(res, "sims.carrier").Array()[1].String())
}

func TestValueConversions(t *testing.T) {
	const res = `{"n": 12.75, "big": 9007199254740993, "s": "12", "t": true, "f": false}`
	assert.Equal(t, int64(12), Get(res, "n").Int())
	assert.Equal(t, 12.75, Get(res, "n").Float())
	assert.Equal(t, int64(9007199254740993), Get(res, "big").Int(), "an integer keeps every digit")
	assert.Zero(t, Get(res, "s").Int(), "a string is not a number")
	assert.True(t, Get(res, "t").Bool())
	assert.False(t, Get(res, "f").Bool())
	assert.False(t, Get(res, "s").Bool())
	assert.Nil(t, Get(res, "n").Array())
	assert.False(t, Get(`[1]`, "0").Exists(), "not an object")
	assert.False(t, Value{}.Exists())
}
