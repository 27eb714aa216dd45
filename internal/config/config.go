// Package config reads lockable's LOCKABLE_* environment variables, which
// the command line and lockabletest share, so that both accept the same
// values and name the variable in every error.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/duration"
	"github.com/go-lockable/lockable/query"
)

// The environment variables.
const (
	EnvResources    = "LOCKABLE_RESOURCES"
	EnvLockFolder   = "LOCKABLE_LOCK_FOLDER"
	EnvHostname     = "LOCKABLE_HOSTNAME"
	EnvTimeout      = "LOCKABLE_TIMEOUT"
	EnvRequirements = "LOCKABLE_REQUIREMENTS"
	EnvBackend      = "LOCKABLE_BACKEND"
	EnvPriority     = "LOCKABLE_PRIORITY"
)

// MaxPriority bounds a priority either way: a priority is a rank among
// waiters, not a number to grow without end.
const MaxPriority = 1_000_000

// Config is what the environment says; empty fields were not set.
type Config struct {
	Resources  string        // a file path or an http(s) URL
	LockFolder string        // the lock folder
	Backend    string        // the lock backend's URL; empty for the lock folder
	Hostname   string        // the host whose resources are allocatable
	Timeout    time.Duration // how long to wait, when TimeoutSet
	TimeoutSet bool          // whether LOCKABLE_TIMEOUT was set (0 means try once)
	// Requirements are extra conditions added to every requirement; nil
	// when not set.
	Requirements *query.Query
	// Priority is the waiters' priority in the queue (core.WithPriority).
	Priority int
	// Care is the health check and the cleanup (care.go).
	Care Care
}

// FromEnv reads the configuration through getenv (os.Getenv, or a
// test's map). An invalid value is an error that names the variable.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Resources:  strings.TrimSpace(getenv(EnvResources)),
		LockFolder: strings.TrimSpace(getenv(EnvLockFolder)),
		Hostname:   strings.TrimSpace(getenv(EnvHostname)),
		Backend:    strings.TrimSpace(getenv(EnvBackend)),
	}
	if v := getenv(EnvTimeout); v != "" {
		d, err := duration.Parse(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: timeout %q %w", EnvTimeout, strings.TrimSpace(v), err)
		}
		c.Timeout, c.TimeoutSet = d, true
	}
	if v := strings.TrimSpace(getenv(EnvPriority)); v != "" {
		p, err := ParsePriority(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvPriority, err)
		}
		c.Priority = p
	}
	if v := getenv(EnvRequirements); strings.TrimSpace(v) != "" {
		q, err := query.Parse(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvRequirements, err)
		}
		c.Requirements = q
	}
	care, err := careFromEnv(getenv)
	if err != nil {
		return Config{}, err
	}
	c.Care = care
	return c, nil
}

// ParsePriority reads a priority: a whole number from -MaxPriority to
// MaxPriority, higher served first.
func ParsePriority(s string) (int, error) {
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < -MaxPriority || p > MaxPriority {
		return 0, fmt.Errorf("priority %q is not a whole number from %d to %d (higher is served first; the default is 0)", s, -MaxPriority, MaxPriority)
	}
	return p, nil
}

// Options returns the core options the configuration sets.
func (c Config) Options() []core.Option {
	var opts []core.Option
	if c.LockFolder != "" {
		opts = append(opts, core.WithLockFolder(c.LockFolder))
	}
	if c.Hostname != "" {
		opts = append(opts, core.WithHostname(c.Hostname))
	}
	if c.Backend != "" {
		opts = append(opts, core.WithBackend(c.Backend))
	}
	return opts
}

// Require returns q with the extra requirements added, if any.
func (c Config) Require(q *query.Query) *query.Query {
	if c.Requirements == nil {
		return q
	}
	return q.And(c.Requirements)
}
