package serve

import (
	"log/slog"
	"time"
)

// Defaults of the options.
const (
	// DefaultMaxStreams bounds the live pages (event streams) served at
	// once.
	DefaultMaxStreams = 100
	// DefaultMaxResourceSeries is the largest lab whose metrics carry a
	// series per resource id (lockable_resource_state); a larger lab's
	// metrics are by state only.
	DefaultMaxResourceSeries = 1000
)

// Bounds of what the handler reads and writes.
const (
	// MaxRequirementsSize bounds the requirements of /api/fit, in bytes.
	MaxRequirementsSize = 4 << 10
	// maxBody bounds a request body: no endpoint reads one.
	maxBody = 1 << 10
	// writeTimeout bounds each write of an event stream, and of the other
	// answers when Serve runs the server.
	writeTimeout = 10 * time.Second
	// heartbeat is how often an idle event stream sends a comment, so
	// that proxies keep it open and a gone client is noticed.
	heartbeat = 15 * time.Second
	// leasePoll is how often the lab is read again while some lock has a
	// lease (etcd): its time left, and lost locks, show without an event.
	leasePoll = time.Second
	// refreshTimeout bounds one reading of the lab.
	refreshTimeout = 30 * time.Second
)

// Option configures a Handler made by New.
type Option interface{ apply(*config) }

type config struct {
	log               *slog.Logger
	maxStreams        int
	maxResourceSeries int
	heartbeat         time.Duration
	leasePoll         time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	shutdownGrace     time.Duration
	sourceName        *string
}

func newConfig(opts []Option) config {
	c := config{
		log:               slog.New(slog.DiscardHandler),
		maxStreams:        DefaultMaxStreams,
		maxResourceSeries: DefaultMaxResourceSeries,
		heartbeat:         heartbeat,
		leasePoll:         leasePoll,
		readTimeout:       readTimeout,
		writeTimeout:      writeTimeout,
		shutdownGrace:     ShutdownGrace,
	}
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithLogger sets where the handler logs: when the lab cannot be read
// and when it can again, and streams refused. The default discards
// everything.
func WithLogger(log *slog.Logger) Option {
	return optionFunc(func(c *config) { c.log = log })
}

// WithMaxStreams bounds the event streams (live pages) served at once;
// one more is answered 503 with Retry-After. The default is
// DefaultMaxStreams; n below 1 is 1.
func WithMaxStreams(n int) Option {
	return optionFunc(func(c *config) { c.maxStreams = max(n, 1) })
}

// WithMaxResourceSeries sets the largest lab whose metrics have a series
// per resource id; a lab with more resources has its metrics by state
// only, so that scraping a large lab stays cheap for Prometheus. The
// default is DefaultMaxResourceSeries; 0 never has per-resource series.
func WithMaxResourceSeries(n int) Option {
	return optionFunc(func(c *config) { c.maxResourceSeries = max(n, 0) })
}

// WithSourceName sets how the page names the resources source. The
// default is a file's absolute path, an HTTP source's URL with its
// credentials masked, and nothing for other sources. Never give it a
// credential.
func WithSourceName(name string) Option {
	return optionFunc(func(c *config) { c.sourceName = &name })
}
