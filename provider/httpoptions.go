package provider

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of an HTTP source, each changed by the option of the same name.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultMaxBodySize    = 8 << 20
	DefaultRetries        = 4
	DefaultRetryBudget    = time.Minute
	DefaultBackoffMin     = 250 * time.Millisecond
	DefaultBackoffMax     = 10 * time.Second
	DefaultMaxRedirects   = 10
)

// HTTPOption configures an HTTP source. The options are the With*
// functions of this package.
type HTTPOption interface {
	apply(*httpConfig)
}

// optionFunc turns a function into an HTTPOption.
type optionFunc func(*httpConfig)

func (f optionFunc) apply(c *httpConfig) { f(c) }

// httpConfig is what the options set.
type httpConfig struct {
	client         *http.Client
	timeout        time.Duration
	connectTimeout time.Duration
	maxBody        int64
	retries        int
	budget         time.Duration
	backoffMin     time.Duration
	backoffMax     time.Duration
	maxRedirects   int
	token          string
	user, password string
	basic          bool
	logger         *slog.Logger
	sleep          func(context.Context, time.Duration) error // tests replace it
}

// newHTTPConfig applies opts over the defaults.
func newHTTPConfig(opts []HTTPOption) httpConfig {
	c := httpConfig{
		timeout:        DefaultTimeout,
		connectTimeout: DefaultConnectTimeout,
		maxBody:        DefaultMaxBodySize,
		retries:        DefaultRetries,
		budget:         DefaultRetryBudget,
		backoffMin:     DefaultBackoffMin,
		backoffMax:     DefaultBackoffMax,
		maxRedirects:   DefaultMaxRedirects,
		logger:         slog.New(slog.DiscardHandler),
		sleep:          sleep,
	}
	for _, o := range opts {
		o.apply(&c)
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

// WithTimeout bounds one attempt: connecting, sending, and reading the
// whole response. A non-positive d keeps the default (DefaultTimeout).
func WithTimeout(d time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.timeout = positive(d, c.timeout) })
}

// WithConnectTimeout bounds connecting and the TLS handshake. It does not
// apply with WithHTTPClient, whose transport decides. A non-positive d
// keeps the default (DefaultConnectTimeout).
func WithConnectTimeout(d time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.connectTimeout = positive(d, c.connectTimeout) })
}

// WithMaxBodySize bounds the response body, after decompression; a larger
// body fails with ErrUnavailable. A non-positive n keeps the default
// (DefaultMaxBodySize, 8 MiB).
func WithMaxBodySize(n int64) HTTPOption {
	return optionFunc(func(c *httpConfig) { c.maxBody = positive(n, c.maxBody) })
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

// WithLogger logs each attempt, retry and outcome to logger (by default
// nothing is logged). Credentials are never logged.
func WithLogger(logger *slog.Logger) HTTPOption {
	return optionFunc(func(c *httpConfig) {
		if logger != nil {
			c.logger = logger
		}
	})
}
