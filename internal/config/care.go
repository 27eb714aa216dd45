package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/duration"
)

// The variables of lab care: the health check before a resource is
// handed out, the cleanup after use.
const (
	EnvHealthCheck         = "LOCKABLE_HEALTH_CHECK"
	EnvHealthCheckTimeout  = "LOCKABLE_HEALTH_CHECK_TIMEOUT"
	EnvHealthCheckFromList = "LOCKABLE_HEALTH_CHECK_FROM_LIST"
	EnvCleanup             = "LOCKABLE_CLEANUP"
	EnvCleanupTimeout      = "LOCKABLE_CLEANUP_TIMEOUT"
)

// Care is what the lab care variables say; empty fields were not set.
type Care struct {
	HealthCheck        string        // a command line
	HealthCheckTimeout time.Duration // its bound; 0 when not set
	// HealthCheckFromList runs a resource's own health_check field: a
	// command from the resources list, so an explicit choice.
	HealthCheckFromList bool
	Cleanup             string        // a command line
	CleanupTimeout      time.Duration // its bound; 0 when not set
}

// careFromEnv reads the lab care variables through getenv.
func careFromEnv(getenv func(string) string) (Care, error) {
	c := Care{HealthCheck: strings.TrimSpace(getenv(EnvHealthCheck)), Cleanup: strings.TrimSpace(getenv(EnvCleanup))}
	var err error
	if c.HealthCheckTimeout, err = bound(getenv, EnvHealthCheckTimeout); err != nil {
		return Care{}, err
	}
	if c.CleanupTimeout, err = bound(getenv, EnvCleanupTimeout); err != nil {
		return Care{}, err
	}
	if v := strings.TrimSpace(getenv(EnvHealthCheckFromList)); v != "" {
		if c.HealthCheckFromList, err = strconv.ParseBool(v); err != nil {
			return Care{}, fmt.Errorf("%s=%s: want 1 or 0 (true or false)", EnvHealthCheckFromList, v)
		}
	}
	return c, nil
}

// bound reads a check's bound: a positive duration, or 0 when not set.
func bound(getenv func(string) string, key string) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return 0, nil
	}
	d, err := duration.Parse(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("is not positive: a check needs a bound")
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %q %w", key, strings.TrimSpace(v), err)
	}
	return d, nil
}
