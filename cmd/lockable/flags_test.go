package main

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/internal/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStopsAtTheCommand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		rest   []string
		dashes bool
	}{
		{"first word", []string{"--timeout", "3", "echo", "--timeout", "x"}, []string{"echo", "--timeout", "x"}, false},
		{"dashes", []string{"--no-shell", "--", "status", "-q"}, []string{"status", "-q"}, true},
		{"no command", []string{"-q"}, []string{}, false},
		{"equals form", []string{"--requirements=os=android", "status"}, []string{"status"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newOptions()
			fs := flagSet("lockable")
			o.runFlags(fs)
			rest, dashes, err := o.parse(fs, tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.rest, rest)
			assert.Equal(t, tc.dashes, dashes)
		})
	}
}

func TestParseErrors(t *testing.T) {
	o := newOptions()
	fs := flagSet("lockable")
	o.runFlags(fs)
	_, _, err := o.parse(fs, []string{"--timeout"})
	assert.Equal(t, exitUsage, exitCode(err))
	assert.EqualError(t, err, "flag needs an argument: --timeout (see lockable --help)")

	_, _, err = o.parse(fs, []string{"-h"})
	assert.True(t, errors.Is(err, flag.ErrHelp))
}

func TestFlagError(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -x":          "flag provided but not defined: --x",
		"flag needs an argument: -count":             "flag needs an argument: --count",
		`invalid value "a: -b" for flag -count: bad`: `invalid value "a: -b" for flag --count: bad`,
		`invalid boolean value "x" for -q: bad`:      `invalid boolean value "x" for --q: bad`,
		"bad flag syntax: ---x":                      "bad flag syntax: ---x",
	} {
		assert.Equal(t, want, flagError(errors.New(in)))
	}
}

func TestDurationValue(t *testing.T) {
	var d durationValue
	for in, want := range map[string]time.Duration{"1": time.Second, "0.5": 500 * time.Millisecond, "90s": 90 * time.Second, "0": 0} {
		require.NoError(t, d.Set(in))
		assert.Equal(t, want, time.Duration(d), in)
	}
	assert.EqualError(t, d.Set("soon"), "is neither seconds (30, 0.5) nor a duration (90s, 5m)")
}

func TestFlagsWinOverTheEnvironment(t *testing.T) {
	env := map[string]string{
		config.EnvResources: "env.json", config.EnvLockFolder: "/env/locks",
		config.EnvHostname: "env-host", config.EnvTimeout: "0",
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)

	o := newOptions()
	fs := flagSet("lockable")
	o.runFlags(fs)
	_, _, err = o.parse(fs, []string{"--hostname", "flag-host"})
	require.NoError(t, err)
	o.applyEnv(cfg)
	assert.Equal(t, "flag-host", o.hostname)
	assert.Equal(t, "env.json", o.resources)
	assert.Equal(t, "/env/locks", o.lockFolder)
	assert.Equal(t, time.Duration(0), o.timeout, "LOCKABLE_TIMEOUT=0 is not the default")

	defaults := newOptions()
	defaults.applyEnv(config.Config{})
	assert.Equal(t, defaultResources, defaults.resources)
	assert.Equal(t, time.Second, defaults.timeout)
}

func TestQueries(t *testing.T) {
	o := newOptions()
	o.requirements = []string{"os=android"}
	o.count = 3
	qs, err := o.queries(config.Config{})
	require.NoError(t, err)
	require.Len(t, qs, 3)
	assert.Equal(t, `{"os":"android"}`, qs[2].String())

	o = newOptions()
	qs, err = o.queries(config.Config{})
	require.NoError(t, err)
	assert.Equal(t, `{}`, qs[0].String(), "no --requirements: the defaults alone")

	o.requirements = []string{"a=1", "b=2"}
	o.count = 2
	_, err = o.queries(config.Config{})
	assert.Equal(t, exitUsage, exitCode(err))
}

func TestOwner(t *testing.T) {
	assert.Equal(t, "make test", owner([]string{"make", "test"}))
	long := owner([]string{string(make([]byte, 200)), "x"})
	assert.Len(t, long, maxOwner+3)
	assert.Equal(t, "...", long[maxOwner:])
}

// FuzzFlags feeds the run form's flag parsing and requirement building
// arbitrary words (NUL separates them): it must never panic, fail only
// as bad usage, and keep every bound it promises.
func FuzzFlags(f *testing.F) {
	for _, s := range []string{
		"--timeout\x0030\x00true",
		"--timeout\x00NaN\x00true",
		"--timeout\x001_000\x00true",
		"--count\x00100000000\x00true",
		"--count\x003\x00--requirements\x00os=android\x00true",
		"--max-hold\x001h\x00--kill-after\x000.5\x00--\x00status",
		"--requirements\x00{\"ram_gb\": {\"$gte\": 8}}\x00--requirements\x00a=1&b=true\x00x",
		"-q\x00--explain\x00--no-shell\x00--validate-only",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		o := newOptions()
		fs := flagSet("lockable")
		o.runFlags(fs)
		if _, _, err := o.parse(fs, args); err != nil {
			if !errors.Is(err, flag.ErrHelp) && exitCode(err) != exitUsage {
				t.Fatalf("%q: %v is not a usage error", args, err)
			}
			return
		}
		for name, d := range map[string]time.Duration{"timeout": o.timeout, "max-hold": o.maxHold, "kill-after": o.killAfter} {
			if d < 0 {
				t.Fatalf("%q: --%s %v is negative", args, name, d)
			}
		}
		qs, err := o.queries(config.Config{})
		if err != nil {
			if exitCode(err) != exitUsage || len(err.Error()) > 4096 {
				t.Fatalf("%q: %v", args, err)
			}
			return
		}
		if len(qs) < 1 || len(qs) > maxHeld {
			t.Fatalf("%q: %d requirements, outside 1..%d", args, len(qs), maxHeld)
		}
	})
}
