package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"sync"

	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/redact"
)

// cli is one run of lockable: its environment and standard files.
type cli struct {
	environ []string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	// secrets are the credentials of the resources URL and the backend
	// URL, blanked in everything lockable itself prints (not in what the
	// command prints).
	secrets *redact.Redactor
	sayMu   sync.Mutex // lines told from health checks run at once
	// early is the keeper started while the run waited, for the command
	// to start under at once when its resources are held (Linux).
	early *earlyKeeper
	// interrupt is done once a signal has ended the wait for resources
	// (acquire), for the health checks that outlive its deadline.
	interrupt context.Context
	// care counts the health checks and cleanups that run, and names
	// those that ran since the last sweep of what they left (care.go).
	care struct {
		sync.Mutex
		running int
		watched bool        // lockable is their subreaper
		ran     [][2]string // kind, resource id
	}
}

// run is the whole command: it parses args, does what they say and
// returns the exit status. environ is the environment, as os.Environ
// gives it; the command lockable runs inherits it.
func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if spec, ok := keeperSpecFrom(environ); ok {
		return keepCommand(spec, environ)
	}
	c := &cli{environ: environ, stdin: stdin, stdout: stdout, stderr: stderr}
	code, err := c.main(ctx, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.help()
		return exitOK
	case err != nil:
		return c.report(err)
	}
	return code
}

// main parses the run form's flags, then hands over to a subcommand when
// the first word names one and no "--" came before it.
func (c *cli) main(ctx context.Context, args []string) (int, error) {
	o := newOptions()
	fs := flagSet("lockable")
	o.runFlags(fs)
	rest, dashes, err := o.parse(fs, args)
	switch {
	case err != nil:
		return 0, err
	case o.version:
		return exitOK, c.version(nil)
	case dashes || len(rest) == 0:
		return c.lockRun(ctx, o, rest, dashes)
	}
	switch rest[0] {
	case "status":
		return exitOK, c.status(ctx, o, rest[1:])
	case "validate":
		return exitOK, c.validate(ctx, o, rest[1:])
	case "maintain":
		return exitOK, c.maintain(ctx, o, rest[1:])
	case "serve":
		return exitOK, c.serve(ctx, o, rest[1:])
	case "version":
		return exitOK, c.version(rest[1:])
	case "completion":
		return exitOK, c.completion(rest[1:])
	}
	return c.lockRun(ctx, o, rest, false)
}

// subcommand parses a subcommand's flags; it takes no further words.
func (c *cli) subcommand(o *options, name string, register func(*flag.FlagSet), args []string) error {
	fs := flagSet("lockable " + name)
	register(fs)
	rest, _, err := o.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("lockable %s takes no arguments, got %q (see lockable --help)", name, strings.Join(rest, " "))
	}
	return nil
}

// config reads the LOCKABLE_* environment into the flags not given.
// An invalid value is a usage error naming the variable. A variable is
// read only where it means something: not when its flag was given (the
// flag wins, whatever the variable holds), nor by a form without that
// flag (lockable serve does not wait, so LOCKABLE_TIMEOUT is not its).
func (c *cli) config(o *options) (config.Config, error) {
	cfg, err := config.FromEnv(o.envFor(c.getenv))
	if err != nil {
		return config.Config{}, withCode(exitUsage, err)
	}
	if err := c.pyCompatFromEnv(o); err != nil {
		return config.Config{}, err
	}
	o.applyEnv(cfg)
	if o.pyCompat && o.lockFolder == "" {
		o.lockFolder = pyLockFolder
	}
	c.secrets = redact.ForURL(o.resources).With(redact.ForURL(o.backend))
	return cfg, nil
}

// envFlags names the flag that each LOCKABLE_* variable stands for.
var envFlags = map[string]string{
	config.EnvResources:           "resources",
	config.EnvLockFolder:          "lock-folder",
	config.EnvBackend:             "backend",
	config.EnvHostname:            "hostname",
	config.EnvTimeout:             "timeout",
	config.EnvRequirements:        "requirements",
	config.EnvPriority:            "priority",
	config.EnvHealthCheck:         "health-check",
	config.EnvHealthCheckTimeout:  "health-check-timeout",
	config.EnvHealthCheckFromList: "health-check-from-list",
	config.EnvCleanup:             "cleanup",
	config.EnvCleanupTimeout:      "cleanup-timeout",
}

// envFor returns getenv as the form o parsed sees it: empty for a
// variable whose flag the form does not have, or whose flag was given.
// LOCKABLE_REQUIREMENTS adds to --requirements rather than giving way.
func (o *options) envFor(getenv func(string) string) func(string) string {
	return func(key string) string {
		name, ok := envFlags[key]
		switch {
		case !ok:
		case o.form != nil && !o.form[name]:
			return ""
		case o.set[name] && key != config.EnvRequirements:
			return ""
		}
		return getenv(key)
	}
}

// getenv looks key up in the environment; the last setting wins, as in
// os/exec.
func (c *cli) getenv(key string) string {
	for i := len(c.environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(c.environ[i], key+"="); ok {
			return v
		}
	}
	return ""
}
