// Package config reads lockable's LOCKABLE_* environment variables, which
// the command line and lockabletest share, so that both accept the same
// values and name the variable in every error.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
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
)

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
		d, err := ParseTimeout(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: timeout %q %w", EnvTimeout, strings.TrimSpace(v), err)
		}
		c.Timeout, c.TimeoutSet = d, true
	}
	if v := getenv(EnvRequirements); strings.TrimSpace(v) != "" {
		q, err := query.Parse(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvRequirements, err)
		}
		c.Requirements = q
	}
	return c, nil
}

// ParseTimeout reads a timeout given in seconds ("30", "0.5"), as the
// Python lockable takes it, or as a Go duration ("90s", "5m"). Its error
// says what is wrong with the value ("is negative"); the caller names it.
func ParseTimeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 {
			return 0, errors.New("is negative")
		}
		if secs > (1<<63-1)/float64(time.Second) {
			return 0, errors.New("is out of range")
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("is neither seconds (30, 0.5) nor a duration (90s, 5m)")
	}
	if d < 0 {
		return 0, errors.New("is negative")
	}
	return d, nil
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
