package main

import (
	"context"
	"os"
	"os/signal"
	"strings"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/textcut"
	"github.com/go-lockable/lockable/query"
)

// maxOwner bounds the command line written into the lock as its owner.
const maxOwner = 120

// maxEchoed bounds the requirements a message repeats.
const maxEchoed = 200

// maxHeld bounds how many resources one run holds (--count, or several
// --requirements): more than a lab has, and few enough that a typo such
// as --count 1000000 is told at once.
const maxHeld = 1000

// lockRun is the Python-compatible form: hold resources that fit, run
// the command, release them, exit with the command's status. dashes says
// whether "--" ended the flags.
func (c *cli) lockRun(ctx context.Context, o *options, command []string, dashes bool) (int, error) {
	if err := c.pyCompatFromEnv(o); err != nil {
		return 0, err
	}
	command, err := c.trailingFlags(o, command, dashes)
	if err != nil {
		return 0, err
	}
	cfg, err := c.config(o)
	if err != nil {
		return 0, err
	}
	if o.validateOnly {
		return exitOK, c.validateList(ctx, o.resources)
	}
	if len(command) == 0 {
		return 0, usagef("no command to run: lockable [flags] [--] command [args...] (see lockable --help)")
	}
	qs, err := o.queries(cfg)
	if err != nil {
		return 0, err
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, caught()...)
	defer signal.Stop(sigs)
	if err := o.checkCare(); err != nil {
		return 0, err
	}
	opts := append([]core.LockOption{core.WithOwner(owner(command)), core.WithPriority(o.priority)}, c.careOptions(o)...)
	// The command's keeper starts now, holding nothing, while lockable
	// reads the list and takes the resources (or waits for them), so
	// that the command does not wait for a second process to start.
	c.early = startEarly(c.environ, c.stdin, c.stdout, c.stderr, !foreground())
	defer func() { c.early.abandon() }() // unless the command got it
	lk, allocs, err := c.acquire(ctx, o, qs, sigs, opts...)
	if lk != nil {
		defer c.closeLockable(lk)
	}
	if err != nil {
		return 0, err
	}
	return c.hold(allocs, command, o, sigs)
}

// queries compiles the requirements: one per --requirements (none given
// is one empty requirement), each --count times, each with the extra
// conditions of LOCKABLE_REQUIREMENTS.
func (o *options) queries(cfg config.Config) ([]*query.Query, error) {
	texts := o.requirements
	switch {
	case o.count < 1:
		return nil, usagef("--count %d: hold at least 1 resource", o.count)
	case o.count > maxHeld:
		return nil, usagef("--count %d: one run holds at most %d resources", o.count, maxHeld)
	case len(texts) > maxHeld:
		return nil, usagef("%d --requirements: one run holds at most %d resources", len(texts), maxHeld)
	case o.count > 1 && len(texts) > 1:
		return nil, usagef("--count with several --requirements: give either, not both")
	case len(texts) == 0:
		texts = []string{""}
	}
	qs := make([]*query.Query, 0, len(texts)*o.count)
	for _, text := range texts {
		q, err := parseRequirement(cfg, text)
		if err != nil {
			return nil, err
		}
		for range o.count {
			qs = append(qs, q)
		}
	}
	return qs, nil
}

// parseRequirement compiles one --requirements, with the extra conditions
// of LOCKABLE_REQUIREMENTS.
func parseRequirement(cfg config.Config, text string) (*query.Query, error) {
	q, err := query.Parse(text)
	if err != nil {
		return nil, usagef("--requirements %s: %v", textcut.Shorten(text, maxEchoed, "..."), err)
	}
	return cfg.Require(q), nil
}

// owner is the label the lock shows as the holder's: the command line,
// shortened.
func owner(command []string) string {
	return textcut.Shorten(strings.Join(command, " "), maxOwner, "...")
}

// caught are the signals lockable catches to forward them: those it was
// not started with ignored. Under nohup, or as a background job of a
// script (SIGINT ignored), they stay ignored, for the command too.
func caught() []os.Signal {
	var out []os.Signal
	for _, sig := range forwardedSignals() {
		if !signal.Ignored(sig) {
			out = append(out, sig)
		}
	}
	return out
}
