package main

import (
	"errors"
	"flag"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/internal/duration"
)

// Defaults that the Python lockable's command line set; scripts rely on
// them.
const (
	defaultResources = "./resources.json"
	defaultTimeout   = time.Second
	defaultKillAfter = 10 * time.Second
	// defaultListen is where lockable serve listens: this host only (the
	// page is for a lab's people, exposing it is a decision), on a port
	// that no common service or development server takes by default.
	defaultListen = "127.0.0.1:7878"
)

// options are the flags of every form of the command line. Each form
// registers the flags it takes on its own flag set; all write here.
type options struct {
	resources    string
	lockFolder   string
	backend      string
	hostname     string
	listen       string
	timeout      time.Duration
	requirements []string
	count        int
	priority     int
	maxHold      time.Duration
	killAfter    time.Duration
	validateOnly bool
	noShell      bool
	explain      bool
	quiet        bool
	json         bool
	version      bool
	pyCompat     bool

	// Lab care (care.go, maintain.go).
	healthCheck         string
	healthCheckTimeout  time.Duration
	healthCheckFromList bool
	cleanup             string
	cleanupTimeout      time.Duration
	note                string        // maintain: why
	window              time.Duration // maintain --for
	end                 bool          // maintain --end

	set  map[string]bool // flags given on the command line
	form map[string]bool // flags of the form that runs (the last parsed)
}

func newOptions() *options {
	return &options{
		resources: defaultResources,
		timeout:   defaultTimeout,
		count:     1,
		killAfter: defaultKillAfter,
		listen:    defaultListen,
		set:       map[string]bool{},
	}
}

// flagSet returns an empty flag set that reports errors to the caller
// instead of printing them.
func flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// source registers the flags that say where resources and locks are.
func (o *options) source(fs *flag.FlagSet) {
	fs.StringVar(&o.resources, "resources", o.resources, "")
	fs.StringVar(&o.lockFolder, "lock-folder", o.lockFolder, "")
	fs.StringVar(&o.backend, "backend", o.backend, "")
	fs.StringVar(&o.hostname, "hostname", o.hostname, "")
}

// runFlags registers the flags of the run form, the Python-compatible
// one.
func (o *options) runFlags(fs *flag.FlagSet) {
	o.source(fs)
	fs.Var((*requirementsValue)(&o.requirements), "requirements", "")
	fs.Var((*durationValue)(&o.timeout), "timeout", "")
	fs.IntVar(&o.count, "count", o.count, "")
	fs.Var((*priorityValue)(&o.priority), "priority", "")
	fs.Var((*durationValue)(&o.maxHold), "max-hold", "")
	fs.Var((*durationValue)(&o.killAfter), "kill-after", "")
	fs.BoolVar(&o.validateOnly, "validate-only", o.validateOnly, "")
	fs.BoolVar(&o.noShell, "no-shell", o.noShell, "")
	fs.BoolVar(&o.explain, "explain", o.explain, "")
	fs.BoolVar(&o.quiet, "q", o.quiet, "")
	fs.BoolVar(&o.quiet, "quiet", o.quiet, "")
	fs.BoolVar(&o.version, "version", o.version, "")
	fs.BoolVar(&o.pyCompat, "py-compat", o.pyCompat, "")
	o.careFlags(fs)
}

// statusFlags registers the flags of lockable status.
func (o *options) statusFlags(fs *flag.FlagSet) {
	o.source(fs)
	fs.Var((*requirementsValue)(&o.requirements), "requirements", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.explain, "explain", false, "")
	fs.BoolVar(&o.pyCompat, "py-compat", o.pyCompat, "")
}

// serveFlags registers the flags of lockable serve.
func (o *options) serveFlags(fs *flag.FlagSet) {
	o.source(fs)
	fs.StringVar(&o.listen, "listen", o.listen, "")
	fs.BoolVar(&o.pyCompat, "py-compat", o.pyCompat, "")
}

// validateFlags registers the flags of lockable validate.
func (o *options) validateFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.resources, "resources", o.resources, "")
}

// parse parses args with fs and records which flags were given. It
// reports whether "--" ended the flags.
func (o *options) parse(fs *flag.FlagSet, args []string) (rest []string, dashes bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, false, err
		}
		return nil, false, usagef("%s (see lockable --help)", flagError(err))
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	o.form = map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { o.form[f.Name] = true })
	rest = fs.Args()
	consumed := len(args) - len(rest)
	return rest, consumed > 0 && args[consumed-1] == "--", nil
}

// applyEnv fills the flags not given from the LOCKABLE_* environment.
func (o *options) applyEnv(cfg config.Config) {
	if !o.set["resources"] && cfg.Resources != "" {
		o.resources = cfg.Resources
	}
	if !o.set["lock-folder"] && cfg.LockFolder != "" {
		o.lockFolder = cfg.LockFolder
	}
	if !o.set["backend"] && cfg.Backend != "" {
		o.backend = cfg.Backend
	}
	if !o.set["hostname"] && cfg.Hostname != "" {
		o.hostname = cfg.Hostname
	}
	if !o.set["timeout"] && cfg.TimeoutSet {
		o.timeout = cfg.Timeout
	}
	if !o.set["priority"] {
		o.priority = cfg.Priority
	}
	o.applyCareEnv(cfg.Care)
}

// flagError words the flag package's errors with the double dashes that
// lockable's help shows: "flag needs an argument: --timeout".
func flagError(err error) string {
	msg := err.Error()
	for _, before := range []string{"defined: -", "argument: -", `" for flag -`, `" for -`} {
		if i := strings.Index(msg, before); i >= 0 {
			i += len(before)
			return msg[:i] + "-" + msg[i:]
		}
	}
	return msg
}

// requirementsValue collects every --requirements given.
type requirementsValue []string

func (v *requirementsValue) String() string { return strings.Join(*v, " ") }

func (v *requirementsValue) Set(s string) error {
	*v = append(*v, s)
	return nil
}

// durationValue takes seconds ("30", "0.5"), as the Python lockable did,
// or a Go duration ("90s", "5m").
// priorityValue is --priority: a bounded whole number.
type priorityValue int

func (v *priorityValue) String() string { return strconv.Itoa(int(*v)) }

func (v *priorityValue) Set(s string) error {
	p, err := config.ParsePriority(s)
	if err != nil {
		return err
	}
	*v = priorityValue(p)
	return nil
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }

func (v *durationValue) Set(s string) error {
	d, err := duration.Parse(s)
	if err != nil {
		return err
	}
	*v = durationValue(d)
	return nil
}
