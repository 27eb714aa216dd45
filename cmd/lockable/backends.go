package main

import (
	"context"
	"log/slog"

	"github.com/go-lockable/lockable/core"
	// The command line links every lock backend, so that --backend and
	// LOCKABLE_BACKEND take any of them.
	_ "github.com/go-lockable/lockable/etcd"
	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/provider"
)

// open makes the Lockable the options describe: its locks in the lock
// folder, or in the backend that --backend (or LOCKABLE_BACKEND) names,
// reached within ctx. Close it when done.
func (c *cli) open(ctx context.Context, o *options) (*core.Lockable, error) {
	return c.openWith(ctx, o, provider.Open(o.resources))
}

// openWith is open with the resources source given.
func (c *cli) openWith(ctx context.Context, o *options, src core.Source) (*core.Lockable, error) {
	if err := o.checkBackend(); err != nil {
		return nil, err
	}
	cfg := config.Config{LockFolder: o.lockFolder, Hostname: o.hostname, Backend: o.backend}
	opts := append(cfg.Options(), core.WithLogger(slog.New(errorLines{c: c})))
	return core.New(ctx, src, opts...)
}

// checkBackend refuses --lock-folder together with another backend,
// which has no lock folder and would ignore it. LOCKABLE_LOCK_FOLDER is
// ignored then, as lockabletest does: the environment may set both for
// programs that use either.
func (o *options) checkBackend() error {
	if o.backend == "" || !o.set["lock-folder"] {
		return nil
	}
	from := "--backend " + redacted(o.backend)
	if !o.set["backend"] {
		from = config.EnvBackend + "=" + redacted(o.backend)
	}
	return usagef("--lock-folder with %s: a lock folder is only for the default backend; give one or the other (an empty --backend= picks the lock folder)", from)
}

// closeLockable closes lk, telling on stderr if that fails: the command
// has run by then, so the exit status stays its own.
func (c *cli) closeLockable(lk *core.Lockable) {
	if err := lk.Close(); err != nil {
		c.report(err)
	}
}

// redacted is a backend URL with its credentials replaced by xxxxx.
func redacted(raw string) string { return redact.URL(raw) }
