package config

import (
	"strconv"
	"testing"
	"time"

	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// LOCKABLE_TIMEOUT takes what the duration package takes (its tests say
// which): the command line's flags and an etcd URL take the same.
func TestFromEnvReadsTheTimeoutStrictly(t *testing.T) {
	for _, bad := range []string{"NaN", "1_000", "-1", "1e3", "Inf"} {
		_, err := FromEnv(env(map[string]string{EnvTimeout: bad}))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), EnvTimeout+": timeout "+strconv.Quote(bad), bad)
	}
	c, err := FromEnv(env(map[string]string{EnvTimeout: "1m30s"}))
	require.NoError(t, err)
	assert.Equal(t, 90*time.Second, c.Timeout)
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

func TestFromEnvReadsThePriority(t *testing.T) {
	for in, want := range map[string]int{"": 0, "5": 5, " -3 ": -3, "1000000": MaxPriority, "-1000000": -MaxPriority} {
		c, err := FromEnv(env(map[string]string{EnvPriority: in}))
		require.NoError(t, err, in)
		assert.Equal(t, want, c.Priority, in)
	}
	for _, bad := range []string{"high", "1.5", "1e3", "1000001", "-1000001", "0x10"} {
		_, err := FromEnv(env(map[string]string{EnvPriority: bad}))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), EnvPriority+": priority "+strconv.Quote(bad)+" is not a whole number from -1000000 to 1000000", bad)
	}
}

func TestFromEnvReadsLabCare(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvHealthCheck: " adb -s $SERIAL get-state ", EnvHealthCheckTimeout: "30s", EnvHealthCheckFromList: "1",
		EnvCleanup: "adb -s $SERIAL reboot", EnvCleanupTimeout: "2m",
	}))
	require.NoError(t, err)
	assert.Equal(t, Care{HealthCheck: "adb -s $SERIAL get-state", HealthCheckTimeout: 30 * time.Second, HealthCheckFromList: true,
		Cleanup: "adb -s $SERIAL reboot", CleanupTimeout: 2 * time.Minute}, c.Care)

	for key, bad := range map[string]string{EnvHealthCheckTimeout: "0", EnvCleanupTimeout: "-1s", EnvHealthCheckFromList: "yes please"} {
		_, err := FromEnv(env(map[string]string{key: bad}))
		require.ErrorContains(t, err, key, bad)
	}
}
