package provider

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of the sources, each changed by the option of the same name.
const (
	DefaultMaxSize        = 8 << 20 // a list's size, file or HTTP body
	DefaultAttemptTimeout = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultRetries        = 4
	DefaultRetryBudget    = time.Minute
	DefaultBackoffMin     = 250 * time.Millisecond
	DefaultBackoffMax     = 10 * time.Second
	DefaultMaxRedirects   = 10
)

// Option configures any source: File, HTTP and Open take it. Every
// Option is also an HTTPOption.
type Option interface {
	HTTPOption
	applyFile(*fileConfig)
}

// HTTPOption configures an HTTP source (HTTP, and Open for a URL): the
// Options, and the With* functions that return an HTTPOption, which only
// an HTTP source has a use for.
type HTTPOption interface {
	applyHTTP(*httpConfig)
}

// optionFunc turns a function into an HTTPOption.
type optionFunc func(*httpConfig)

func (f optionFunc) applyHTTP(c *httpConfig) { f(c) }

// sourceOption is an Option: it sets what every source shares.
type sourceOption func(*common)

func (f sourceOption) applyHTTP(c *httpConfig) { f(&c.common) }
func (f sourceOption) applyFile(c *fileConfig) { f(&c.common) }

// common is what every source's options set.
type common struct {
	maxSize int64
	logger  *slog.Logger
}

func defaultCommon() common {
	return common{maxSize: DefaultMaxSize, logger: slog.New(slog.DiscardHandler)}
}

// fileConfig is what the options of a file source set.
type fileConfig struct {
	common
}

func newFileConfig(opts []Option) fileConfig {
	c := fileConfig{common: defaultCommon()}
	for _, o := range opts {
		o.applyFile(&c)
	}
	return c
}

// httpConfig is what the options of an HTTP source set.
type httpConfig struct {
	common
	client         *http.Client
	timeout        time.Duration
	connectTimeout time.Duration
	retries        int
	budget         time.Duration
	backoffMin     time.Duration
	backoffMax     time.Duration
	maxRedirects   int
	token          string
	user, password string
	basic          bool
	sleep          func(context.Context, time.Duration) error // tests replace it
}

// newHTTPConfig applies opts over the defaults.
func newHTTPConfig(opts []HTTPOption) httpConfig {
	c := httpConfig{
		common:         defaultCommon(),
		timeout:        DefaultAttemptTimeout,
		connectTimeout: DefaultConnectTimeout,
		retries:        DefaultRetries,
		budget:         DefaultRetryBudget,
		backoffMin:     DefaultBackoffMin,
		backoffMax:     DefaultBackoffMax,
		maxRedirects:   DefaultMaxRedirects,
		sleep:          sleep,
	}
	for _, o := range opts {
		o.applyHTTP(&c)
	}
	return c
}

// positive returns d when it is above zero, else the current value.
func positive[T time.Duration | int64](d, current T) T {
	if d > 0 {
		return d
	}
	return current
}

// WithAttemptTimeout bounds one HTTP attempt: connecting, sending, and
// reading the whole response. A non-positive d keeps the default
// (DefaultAttemptTimeout). The caller's context bounds the whole load,
// every attempt and retry included.
func WithAttemptTimeout(d time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.timeout = positive(d, c.timeout) })
}

// WithConnectTimeout bounds connecting and the TLS handshake. It does not
// apply with WithHTTPClient, whose transport decides. A non-positive d
// keeps the default (DefaultConnectTimeout).
func WithConnectTimeout(d time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.connectTimeout = positive(d, c.connectTimeout) })
}

// WithMaxSize bounds the size of the list, in bytes: a file's, or an HTTP
// response body's after decompression. A larger list fails with
// ErrUnavailable. A non-positive n keeps the default (DefaultMaxSize,
// 8 MiB).
func WithMaxSize(n int64) Option {
	return sourceOption(func(c *common) { c.maxSize = positive(n, c.maxSize) })
}

// WithRetries sets how many times a failed attempt is retried (connection
// errors, timeouts, a body cut short, and the statuses 429, 500, 502, 503
// and 504). 0 disables retries; a negative n counts as 0.
func WithRetries(n int) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.retries = max(n, 0) })
}

// WithRetryBudget bounds the total time of one Resources call: every
// attempt and every wait between them. A retry whose wait would end past
// the budget is not made. A non-positive d keeps the default
// (DefaultRetryBudget).
func WithRetryBudget(d time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.budget = positive(d, c.budget) })
}

// WithBackoff sets the wait before the first retry (min) and the most any
// wait grows to (max); waits double from min, with jitter. A Retry-After
// header from the server takes precedence. Non-positive values keep the
// defaults (DefaultBackoffMin, DefaultBackoffMax).
func WithBackoff(minWait, maxWait time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) {
		c.backoffMin = positive(minWait, c.backoffMin)
		c.backoffMax = max(positive(maxWait, c.backoffMax), c.backoffMin)
	})
}

// WithMaxRedirects bounds the redirects followed; 0 follows none. A
// negative n counts as 0.
func WithMaxRedirects(n int) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.maxRedirects = max(n, 0) })
}

// WithBearerToken sends "Authorization: Bearer <token>". The token never
// appears in errors or logs. After a redirect it is sent only to the same
// host or one of its subdomains (as net/http decides), and never over
// http: a redirect from https to http is refused.
func WithBearerToken(token string) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.token, c.basic = token, false })
}

// WithBasicAuth sends HTTP basic authentication. The password never
// appears in errors or logs; it is protected on redirects as a bearer
// token is.
func WithBasicAuth(user, password string) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.user, c.password, c.basic, c.token = user, password, true, "" })
}

// WithHTTPClient makes requests with client, for its transport: a custom
// TLS configuration, a proxy, a test server's client. The source's own
// timeouts still apply through the request's context, except the connect
// timeout; when client.CheckRedirect is nil the source's redirect policy
// applies.
func WithHTTPClient(client *http.Client) HTTPOption {
	return optionFunc(func(c *httpConfig) {
		if client != nil {
			c.client = client
		}
	})
}

// WithLogger logs what a source does to logger: a file's reloads, and
// each HTTP attempt, retry and outcome. By default nothing is logged.
// Credentials are never logged.
func WithLogger(logger *slog.Logger) Option {
	return sourceOption(func(c *common) {
		if logger != nil {
			c.logger = logger
		}
	})
}
