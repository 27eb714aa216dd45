package lockabletest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// EnvOnUnavailable is the variable that sets the Policy for every test
// that does not choose one: "skip" or "fail".
const EnvOnUnavailable = "LOCKABLE_ON_UNAVAILABLE"

// environment is what the LOCKABLE_* variables configure: one Lockable
// and the settings every test shares.
type environment struct {
	lockable   *core.Lockable
	extra      *query.Query // LOCKABLE_REQUIREMENTS, or nil
	timeout    time.Duration
	timeoutSet bool
	policy     Policy
	priority   int              // LOCKABLE_PRIORITY
	care       config.Care      // the health check and the cleanup
	secrets    *redact.Redactor // of the configured URLs
	// err is why there is no Lockable: a *noLabError when nothing is
	// configured, otherwise a broken configuration that names the
	// variable.
	err error
}

// processEnvironment reads the environment of this test process, for one
// call: the variables as they are now (a test may have set them with
// t.Setenv), and a Lockable of the call's own, which the caller closes.
// The resources list is found from the working directory, the package's.
func processEnvironment() *environment {
	dir, err := os.Getwd()
	if err != nil {
		return &environment{err: fmt.Errorf("cannot tell the package directory: %w", err)}
	}
	return loadEnvironment(os.Getenv, dir)
}

// loadEnvironment reads the variables through getenv for the tests of
// the package in dir.
func loadEnvironment(getenv func(string) string, dir string) *environment {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return &environment{err: err}
	}
	policy, err := parsePolicy(getenv(EnvOnUnavailable))
	if err != nil {
		return &environment{err: err}
	}
	env := &environment{extra: cfg.Requirements, policy: policy, priority: cfg.Priority, care: cfg.Care, secrets: secretsOf(cfg)}
	env.timeout, env.timeoutSet = cfg.Timeout, cfg.TimeoutSet
	env.lockable, env.err = openLockable(cfg, newSearchPath(dir))
	return env
}

// openLockable builds the Lockable cfg describes, finding the resources
// list from search.
func openLockable(cfg config.Config, search searchPath) (*core.Lockable, error) {
	src, err := resourcesSource(cfg.Resources, search)
	if err != nil {
		return nil, err
	}
	if cfg.LockFolder != "" && !filepath.IsAbs(cfg.LockFolder) {
		cfg.LockFolder = filepath.Join(search.base(), cfg.LockFolder)
	}
	lk, err := core.New(context.Background(), src, cfg.Options()...)
	switch {
	case err == nil:
		return lk, nil
	case cfg.Backend != "":
		return nil, backendError(err, cfg.Backend)
	case cfg.LockFolder != "":
		return nil, fmt.Errorf("%s: %w", config.EnvLockFolder, err)
	}
	return nil, err
}

// backendError names the variable in err, the failure to open the
// backend that LOCKABLE_BACKEND chose, and for a backend that is not
// linked says where a test links one. A backend that did not answer in
// time (err matches context.DeadlineExceeded) is a lab that is
// unavailable; any other failure (not linked, a bad URL, refused
// credentials) is a mistake, which fails the test whatever the policy.
func backendError(err error, backend string) error {
	if u, perr := url.Parse(backend); perr == nil && u.Host != "" && errors.Is(err, core.ErrUnknownBackend) {
		return fmt.Errorf("%s: %w (a test binary links a backend when one _test.go file of the package imports it)", config.EnvBackend, err)
	}
	return fmt.Errorf("%s: %w", config.EnvBackend, err)
}

// resourcesSource returns the source that configured names, or
// resources.json found along search when nothing is configured. A
// configured file that does not exist is an error naming the variable.
func resourcesSource(configured string, search searchPath) (core.Source, error) {
	if configured == "" {
		path, ok := search.find(defaultResources)
		if !ok {
			return nil, &noLabError{search: search}
		}
		return provider.File(path), nil
	}
	if src, ok := provider.Open(configured).(*provider.HTTPSource); ok {
		return src, nil
	}
	if filepath.IsAbs(configured) {
		if _, err := os.Stat(configured); err != nil {
			return nil, fmt.Errorf("%s=%s: %w", config.EnvResources, configured, err)
		}
		return provider.File(configured), nil
	}
	path, ok := search.find(configured)
	if !ok {
		return nil, fmt.Errorf("%s=%s: no such file in %s", config.EnvResources, configured, search)
	}
	return provider.File(path), nil
}

func parsePolicy(v string) (Policy, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return 0, nil
	case "skip":
		return Skip, nil
	case "fail":
		return Fail, nil
	}
	return 0, fmt.Errorf("%s: %q is neither skip nor fail", EnvOnUnavailable, v)
}

// noLabError says that no resources list is configured or found.
type noLabError struct {
	search searchPath
}

func (e *noLabError) Error() string {
	return fmt.Sprintf("no resources configured: set %s to a resources file or URL, or add %s to the module (looked in %s)",
		config.EnvResources, defaultResources, e.search)
}

// isNoLab reports whether err says that no resources list is configured.
func isNoLab(err error) bool {
	var e *noLabError
	return errors.As(err, &e)
}
