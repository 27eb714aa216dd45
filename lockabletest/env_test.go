package lockabletest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// module is a temporary module with a package directory two levels down.
type module struct {
	root, pkg string
}

func newModule(t *testing.T) module {
	t.Helper()
	root := t.TempDir()
	m := module{root: root, pkg: filepath.Join(root, "device", "flash")}
	require.NoError(t, os.MkdirAll(m.pkg, 0o755))
	write(t, filepath.Join(root, "go.mod"), "module example.com/lab\n")
	return m
}

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// writeLab writes resources as a resources file at path.
func writeLab(t *testing.T, path string, resources []map[string]any) {
	t.Helper()
	data, err := json.Marshal(resources)
	require.NoError(t, err)
	write(t, path, string(data))
}

// env is a set of variables, read as getenv reads them.
type env map[string]string

func (e env) get(key string) string { return e[key] }

// result is how a fake test that calls Require ended.
type result struct {
	id, fatal, skip string
}

// requireIn runs a fake test in package directory dir of a process with
// variables vars that calls Require(requirements, opts...).
func requireIn(t *testing.T, dir string, vars env, requirements string, opts ...lockabletest.Option) result {
	t.Helper()
	if vars[lockabletestLocks] == "" {
		vars[lockabletestLocks] = t.TempDir()
	}
	ft := newT("TestFlash")
	defer ft.finish()
	var r result
	ft.run(func(tb lockabletest.TB) {
		opts := append([]lockabletest.Option{lockabletest.WithEnvironment(vars.get, dir)}, opts...)
		r.id = lockabletest.Require(tb, requirements, opts...).ResourceID()
	})
	r.fatal, r.skip, _ = ft.outcome()
	return r
}

const (
	lockabletestLocks = "LOCKABLE_LOCK_FOLDER"
	lockabletestRes   = "LOCKABLE_RESOURCES"
	lockabletestHost  = "LOCKABLE_HOSTNAME"
)

func TestEnvNoLabSkipsSayingHowToConfigure(t *testing.T) {
	m := newModule(t)
	writeLab(t, filepath.Join(filepath.Dir(m.root), "resources.json"), phones(1)) // above the module: not looked at
	r := requireIn(t, m.pkg, env{}, "")
	assert.Empty(t, r.fatal)
	assert.Contains(t, r.skip, "lockabletest: no resources configured: set LOCKABLE_RESOURCES to a resources file or URL, or add resources.json to the module")
	assert.Contains(t, r.skip, "looked in "+m.pkg+" and its parents up to "+m.root)
	assert.Contains(t, r.skip, "set LOCKABLE_ON_UNAVAILABLE=fail to fail instead")
}

func TestEnvNoLabFailsByPolicy(t *testing.T) {
	m := newModule(t)
	tests := map[string]struct {
		vars env
		opts []lockabletest.Option
		want string
	}{
		"env":             {env{"LOCKABLE_ON_UNAVAILABLE": "FAIL"}, nil, "(failed by LOCKABLE_ON_UNAVAILABLE=fail)"},
		"option":          {env{}, []lockabletest.Option{lockabletest.WithPolicy(lockabletest.Fail)}, "(failed by WithPolicy(Fail))"},
		"option over env": {env{"LOCKABLE_ON_UNAVAILABLE": "skip"}, []lockabletest.Option{lockabletest.WithPolicy(lockabletest.Fail)}, "(failed by WithPolicy(Fail))"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := requireIn(t, m.pkg, tc.vars, "", tc.opts...)
			assert.Empty(t, r.skip)
			assert.Contains(t, r.fatal, "lockabletest: no resources configured")
			assert.Contains(t, r.fatal, tc.want)
		})
	}
}

func TestEnvFindsResourcesJSONUpToTheModuleRoot(t *testing.T) {
	m := newModule(t)
	writeLab(t, filepath.Join(m.root, "resources.json"), phones(1))
	vars := env{lockabletestHost: host}
	assert.Equal(t, result{id: "phone-0"}, requireIn(t, m.pkg, vars, ""), "found at the module root")

	writeLab(t, filepath.Join(m.pkg, "..", "resources.json"), []map[string]any{{"id": "nearer", "hostname": host, "online": true}})
	assert.Equal(t, result{id: "nearer"}, requireIn(t, m.pkg, vars, ""), "the nearest one wins")
}

func TestEnvResourcesVariable(t *testing.T) {
	m := newModule(t)
	labFile := filepath.Join(m.root, "lab", "resources.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(labFile), 0o755))
	writeLab(t, labFile, phones(1))
	for name, value := range map[string]string{"absolute": labFile, "relative to the module root": "lab/resources.json"} {
		t.Run(name, func(t *testing.T) {
			r := requireIn(t, m.pkg, env{lockabletestRes: value, lockabletestHost: host}, "")
			assert.Equal(t, result{id: "phone-0"}, r)
		})
	}
}

func TestEnvResourcesURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(phones(1))
	}))
	defer srv.Close()
	r := requireIn(t, newModule(t).pkg, env{lockabletestRes: srv.URL + "/lab.json", lockabletestHost: host}, "")
	assert.Equal(t, result{id: "phone-0"}, r)
}

func TestEnvBrokenConfigurationFailsNamingIt(t *testing.T) {
	m := newModule(t)
	invalid := filepath.Join(m.root, "invalid.json")
	write(t, invalid, `[{"id": "a"}, {"id": "a"}]`)
	missing := filepath.Join(m.root, "missing.json")
	tests := map[string]struct {
		vars env
		want string
	}{
		"missing file":        {env{lockabletestRes: missing}, "lockabletest: LOCKABLE_RESOURCES=" + missing + ":"},
		"missing relative":    {env{lockabletestRes: "lab.json"}, "lockabletest: LOCKABLE_RESOURCES=lab.json: no such file in " + m.pkg + " and its parents up to " + m.root},
		"invalid list":        {env{lockabletestRes: invalid}, invalid},
		"timeout":             {env{"LOCKABLE_TIMEOUT": "soon"}, `lockabletest: LOCKABLE_TIMEOUT: timeout "soon" is neither seconds`},
		"requirements":        {env{"LOCKABLE_REQUIREMENTS": "rack"}, "lockabletest: LOCKABLE_REQUIREMENTS:"},
		"policy":              {env{"LOCKABLE_ON_UNAVAILABLE": "maybe"}, `lockabletest: LOCKABLE_ON_UNAVAILABLE: "maybe" is neither skip nor fail`},
		"lock folder is file": {env{lockabletestRes: invalid, lockabletestLocks: invalid}, "lockabletest: LOCKABLE_LOCK_FOLDER:"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := requireIn(t, m.pkg, tc.vars, "", lockabletest.WithPolicy(lockabletest.Skip))
			assert.Empty(t, r.skip, "a broken configuration never skips")
			assert.Contains(t, r.fatal, tc.want)
		})
	}
}

func TestEnvInvalidListFailsAtRequire(t *testing.T) {
	m := newModule(t)
	write(t, filepath.Join(m.root, "resources.json"), `{"id": "not a list"}`)
	r := requireIn(t, m.pkg, env{}, "", lockabletest.WithPolicy(lockabletest.Skip))
	assert.Empty(t, r.skip)
	assert.Contains(t, r.fatal, filepath.Join(m.root, "resources.json"))
	assert.Contains(t, r.fatal, "not a JSON array")
}

func TestEnvNoFitFailsUnlessSkipIsAsked(t *testing.T) {
	m := newModule(t)
	writeLab(t, filepath.Join(m.root, "resources.json"), phones(1))
	tests := map[string]struct {
		vars       env
		opts       []lockabletest.Option
		skip, fail string
	}{
		"default":         {env{}, nil, "", "no resource fits"},
		"env skip":        {env{"LOCKABLE_ON_UNAVAILABLE": "skip"}, nil, "(skipped by LOCKABLE_ON_UNAVAILABLE=skip)", ""},
		"option skip":     {env{}, []lockabletest.Option{lockabletest.WithPolicy(lockabletest.Skip)}, "(skipped by WithPolicy(Skip))", ""},
		"option over env": {env{"LOCKABLE_ON_UNAVAILABLE": "skip"}, []lockabletest.Option{lockabletest.WithPolicy(lockabletest.Fail)}, "", "(failed by WithPolicy(Fail))"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.vars[lockabletestHost] = host
			r := requireIn(t, m.pkg, tc.vars, "type=toaster", tc.opts...)
			assertContainsOrEmpty(t, r.skip, tc.skip)
			assertContainsOrEmpty(t, r.fatal, tc.fail)
		})
	}
}

func TestEnvSettings(t *testing.T) {
	m := newModule(t)
	lab := append(phones(2), map[string]any{"id": "far-0", "hostname": "elsewhere", "online": true, "type": "phone"})
	lab[1]["rack"] = "B"
	writeLab(t, filepath.Join(m.root, "resources.json"), lab)

	t.Run("requirements are added", func(t *testing.T) {
		r := requireIn(t, m.pkg, env{lockabletestHost: host, "LOCKABLE_REQUIREMENTS": "rack=B"}, "type=phone")
		assert.Equal(t, "phone-1", r.id)
	})
	t.Run("hostname", func(t *testing.T) {
		r := requireIn(t, m.pkg, env{lockabletestHost: "elsewhere"}, "type=phone")
		assert.Equal(t, "far-0", r.id)
	})
	t.Run("relative lock folder is under the module root", func(t *testing.T) {
		r := requireIn(t, m.pkg, env{lockabletestHost: "elsewhere", lockabletestLocks: ".locks"}, "")
		assert.Equal(t, "far-0", r.id)
		assert.FileExists(t, filepath.Join(m.root, ".locks", "far-0.pid"))
	})
	t.Run("timeout", func(t *testing.T) {
		locks := t.TempDir()
		holder := openLab(t, lab, locks)
		a, err := holder.Lock(t.Context(), mustParse(`{"id": "far-0", "hostname": null}`))
		require.NoError(t, err)
		defer a.Unlock()
		r := requireIn(t, m.pkg, env{lockabletestHost: "elsewhere", lockabletestLocks: locks, "LOCKABLE_TIMEOUT": "0"}, "")
		assert.Contains(t, r.fatal, "lockabletest: timed out after")
		r = requireIn(t, m.pkg, env{lockabletestHost: "elsewhere", lockabletestLocks: locks, "LOCKABLE_TIMEOUT": "1h"}, "",
			lockabletest.WithTimeout(0))
		assert.Contains(t, r.fatal, "lockabletest: timed out after", "the option wins")
	})
}

func TestEnvBackendNotLinkedFailsWhateverThePolicy(t *testing.T) {
	m := newModule(t)
	writeLab(t, filepath.Join(m.root, "resources.json"), phones(1))
	const hint = "(a test binary links a backend when one _test.go file of the package imports it)"
	tests := map[string]struct {
		backend string
		want    []string
		hint    bool
	}{
		"etcd not linked": {"etcd://127.0.0.1:2379/lab", []string{`lockabletest: LOCKABLE_BACKEND: unknown lock backend`, `import _ "github.com/go-lockable/lockable/etcd"`}, true},
		"unknown scheme":  {"consul://h:8500", []string{`no backend for scheme "consul"`}, true},
		"not a URL":       {"h1:2379", []string{"not a URL such as etcd://"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			vars := env{"LOCKABLE_BACKEND": tc.backend, lockabletestHost: host, "LOCKABLE_ON_UNAVAILABLE": "skip"}
			r := requireIn(t, m.pkg, vars, "")
			assert.Empty(t, r.skip, "a mistake never skips")
			for _, want := range tc.want {
				assert.Contains(t, r.fatal, want)
			}
			if tc.hint {
				assert.Contains(t, r.fatal, hint)
			} else {
				assert.NotContains(t, r.fatal, hint)
			}
		})
	}
}

func TestEnvBackendThatDoesNotAnswerIsUnavailable(t *testing.T) {
	// As the etcd backend's New fails when no server answers in time.
	err := fmt.Errorf("LOCKABLE_BACKEND: etcd at 127.0.0.1:1 did not answer within 5s: %w", context.DeadlineExceeded)
	assert.True(t, lockabletest.IsUnavailable(err), "skipped by LOCKABLE_ON_UNAVAILABLE=skip, failed otherwise")
	assert.False(t, lockabletest.IsUnavailable(fmt.Errorf("LOCKABLE_BACKEND: %w", core.ErrUnknownBackend)), "a mistake")
}
