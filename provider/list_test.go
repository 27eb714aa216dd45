package provider

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestList(t *testing.T) {
	items := []map[string]any{
		{"id": "a", "hostname": "h", "online": true, "note": "<usb> & co"},
		{"id": 7, "ram_gb": 8.5},
	}
	src := List(items)
	items[0]["id"] = "changed later"
	res, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "7"}, ids(res))
	assert.Equal(t, "<usb> & co", res[0].Get("note").String())
	assert.Contains(t, res[0].JSON(), "<usb> & co", "no HTML escaping")
	again, err := src.Resources(t.Context())
	require.NoError(t, err)
	assertSameSlice(t, res, again)
}

func TestListEmpty(t *testing.T) {
	for _, items := range [][]map[string]any{nil, {}} {
		res, err := List(items).Resources(t.Context())
		require.NoError(t, err)
		assert.Empty(t, res)
	}
}

func TestListInvalid(t *testing.T) {
	tests := []struct {
		name    string
		items   []map[string]any
		message string
	}{
		{"duplicate", []map[string]any{{"id": 7}, {"id": "7"}}, `duplicate id "7", first used at [0]; ids must be unique`},
		{"missing id", []map[string]any{{"id": "a"}, {"os": "ios"}}, `no "id"`},
		{"nil item", []map[string]any{{"id": "a"}, nil}, `null, not an object`},
		{"unsafe id", []map[string]any{{"id": "a"}, {"id": "x/y"}}, `contains '/'`},
		{"not encodable", []map[string]any{{"id": "a"}, {"id": "b", "f": math.Inf(1)}}, "cannot be encoded as JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := List(tt.items).Resources(t.Context())
			assert.Nil(t, res)
			verr := requireValidationError(t, err)
			require.Len(t, verr.Problems, 1)
			p := verr.Problems[0]
			assert.Equal(t, 1, p.Index)
			assert.Zero(t, p.Line, "a list has no lines")
			assert.Contains(t, p.Message, tt.message)
			assert.Contains(t, err.Error(), "list: [1]: ")
		})
	}
}
