package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/go-lockable/lockable/internal/redact"
)

// HTTPSource is a resources list served over HTTP or HTTPS. Create one
// with HTTP.
type HTTPSource struct {
	url     string           // as given, for requests
	display string           // without credentials, for errors and logs
	secrets *redact.Redactor // every credential the source knows
	urlErr  error
	cfg     httpConfig
	client  *http.Client

	gate    gate
	started atomic.Uint64 // fetches started so far
	cache   httpCache     // guarded by gate
	recent  fetchResult   // guarded by gate
}

// httpCache is the last list received, with what makes a request for it
// conditional.
type httpCache struct {
	etag, lastModified string
	parsed
}

// fetchResult is the outcome of the last fetch, which callers that waited
// for it may share.
type fetchResult struct {
	seq       uint64
	shareable bool
	resources []Resource
	text      string
	err       error
}

// HTTP returns a source that GETs the list at rawURL (http or https). It
// never fails: a malformed URL is an error of Resources. See the With*
// options for timeouts, retries, limits, credentials and logging.
func HTTP(rawURL string, opts ...HTTPOption) *HTTPSource {
	cfg := newHTTPConfig(opts)
	s := &HTTPSource{url: rawURL, cfg: cfg, client: cfg.httpClient(), gate: newGate(),
		display: redact.URL(rawURL), secrets: redact.ForURL(rawURL).With(cfg.secrets())}
	u, err := url.Parse(rawURL)
	if err != nil {
		s.urlErr = s.secrets.Error(fmt.Errorf("%w: invalid URL %s: %w", ErrUnavailable, s.display, unwrapURLError(err)))
		return s
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		s.urlErr = fmt.Errorf("%w: %s: not an http or https URL", ErrUnavailable, s.display)
	}
	return s
}

// URL returns the source's URL fit to show: its user and password, and
// the values of query parameters that carry credentials, are masked.
func (s *HTTPSource) URL() string {
	return s.display
}

// Resources GETs the list and returns it. When the server answers 304 Not
// Modified to the conditional request (ETag, Last-Modified), or sends the
// same body again, the previous slice is returned without parsing again.
//
// Connection errors, timeouts, bodies cut short and the statuses 429, 500,
// 502, 503 and 504 are retried with exponential backoff and jitter,
// honouring Retry-After, within the retry count and budget; other statuses
// fail at once. Failures wrap ErrUnavailable and say the status and the
// start of the body. ctx stops everything at once, waits included.
//
// Concurrent calls are served one fetch at a time; a call that waited for
// a fetch which started after the call itself shares that fetch's result.
// A call whose ctx is done already makes no request: it gets the last list
// received, if there is one, and ctx's error otherwise.
func (s *HTTPSource) Resources(ctx context.Context) ([]Resource, error) {
	res, _, err := s.ResourcesText(ctx)
	return res, err
}

// ResourcesText is Resources, and also returns the text the list was read
// from: the body of the response that gave it (the last 200's body when
// the server answered 304), without a leading byte order mark. The text is
// empty when err is not nil.
func (s *HTTPSource) ResourcesText(ctx context.Context) ([]Resource, string, error) {
	if s.urlErr != nil {
		return nil, "", s.urlErr
	}
	seen := s.started.Load()
	if err := s.gate.lock(ctx); err != nil {
		return nil, "", fmt.Errorf("waiting to fetch resources list %s: %w", s.display, err)
	}
	defer s.gate.unlock()
	if r := s.recent; r.shareable && r.seq > seen {
		return r.resources, r.text, r.err
	}
	if err := ctx.Err(); err != nil {
		if s.cache.filled {
			return s.cache.result()
		}
		return nil, "", fmt.Errorf("fetching resources list %s: %w", s.display, err)
	}
	seq := s.started.Add(1)
	res, err := s.fetch(ctx)
	err = s.secrets.Error(err) // whatever the error quotes
	text := ""
	if err == nil {
		_, text, _ = s.cache.result() // a fetch that succeeds leaves its list there
	}
	s.recent = fetchResult{seq: seq, shareable: ctx.Err() == nil, resources: res, text: text, err: err}
	return res, text, err
}

// unwrapURLError drops the URL from the *url.Error that net/url and
// net/http return (it may hold a password), keeping the cause. It is only
// given their errors as they come, never wrapped further.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
