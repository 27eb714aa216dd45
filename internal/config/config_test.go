package config

import (
	"testing"
	"time"

	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"30", 30 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{"0", 0},
		{" 2 ", 2 * time.Second},
		{"90s", 90 * time.Second},
		{"5m", 5 * time.Minute},
		{"1h30m", 90 * time.Minute},
	}
	for _, tt := range tests {
		got, err := ParseTimeout(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, bad := range []string{"", "soon", "-1", "-5s", "1e300", "5 m"} {
		_, err := ParseTimeout(bad)
		assert.Error(t, err, bad)
	}
}

func TestFromEnv(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvResources: "lab.json", EnvLockFolder: "/locks", EnvHostname: "h1",
		EnvTimeout: "2.5", EnvRequirements: "os=android", EnvBackend: " etcd://h:2379/lab ",
	}))
	require.NoError(t, err)
	assert.Equal(t, "lab.json", c.Resources)
	assert.Equal(t, "/locks", c.LockFolder)
	assert.Equal(t, "h1", c.Hostname)
	assert.Equal(t, "etcd://h:2379/lab", c.Backend)
	assert.Equal(t, 2500*time.Millisecond, c.Timeout)
	assert.True(t, c.TimeoutSet)
	zero, err := FromEnv(env(map[string]string{EnvTimeout: "0"}))
	require.NoError(t, err)
	assert.True(t, zero.TimeoutSet, "0 is a timeout: try once")
	assert.Len(t, c.Options(), 3)
	q := c.Require(query.MustParse(`{"ram_gb": 8}`))
	assert.True(t, q.Match(`{"ram_gb": 8, "os": "android"}`))
	assert.False(t, q.Match(`{"ram_gb": 8, "os": "ios"}`))

	empty, err := FromEnv(env(nil))
	require.NoError(t, err)
	assert.Equal(t, Config{}, empty)
	plain := query.MustParse("a=b")
	assert.Same(t, plain, empty.Require(plain))
	assert.Empty(t, empty.Options())
}

func TestFromEnvNamesTheBadVariable(t *testing.T) {
	_, err := FromEnv(env(map[string]string{EnvTimeout: "soon"}))
	require.ErrorContains(t, err, EnvTimeout)
	_, err = FromEnv(env(map[string]string{EnvRequirements: `{"a": {"$bogus": 1}}`}))
	require.ErrorContains(t, err, EnvRequirements)
	var qe *query.Error
	require.ErrorAs(t, err, &qe)
}
