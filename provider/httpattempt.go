package provider

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/version"
)

// attempt makes one GET within limit and turns the answer into resources,
// a validation error, or an *attemptError.
func (s *HTTPSource) attempt(ctx context.Context, limit time.Duration) ([]Resource, error) {
	actx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	req, err := s.newRequest(actx)
	if err != nil {
		return nil, &attemptError{err: unwrapURLError(err)}
	}
	s.cfg.logger.Debug("resources list: GET", "url", s.display, "conditional", req.Header.Get("If-None-Match") != "" || req.Header.Get("If-Modified-Since") != "")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, transportError(actx, unwrapURLError(err), limit)
	}
	defer func() { _ = resp.Body.Close() }()
	s.cfg.logger.Debug("resources list: response", "url", s.display, "status", resp.StatusCode)
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
		return s.accept(actx, resp, limit)
	case code == http.StatusNotModified:
		return s.notModified()
	case retryableStatus(code):
		return nil, &attemptError{err: s.statusError(resp), retryable: true, answered: true,
			retryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	default:
		return nil, &attemptError{err: s.statusError(resp), answered: true}
	}
}

// newRequest builds the GET, conditional when a list is cached.
func (s *HTTPSource) newRequest(ctx context.Context) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "go-lockable/"+version.String())
	req.Header.Set("Accept", "application/json")
	if s.cache.etag != "" {
		req.Header.Set("If-None-Match", s.cache.etag)
	}
	if s.cache.lastModified != "" {
		req.Header.Set("If-Modified-Since", s.cache.lastModified)
	}
	switch {
	case s.cfg.basic:
		req.SetBasicAuth(s.cfg.user, s.cfg.password)
	case s.cfg.token != "":
		req.Header.Set("Authorization", "Bearer "+s.cfg.token)
	}
	return req, nil
}

// retryableStatus reports the statuses worth another attempt.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// transportError classifies an error of Client.Do. Connection errors and
// timeouts are retried; what cannot heal by waiting is not: a refused
// redirect, a certificate that does not verify, a host name that does not
// exist.
func transportError(actx context.Context, err error, limit time.Duration) *attemptError {
	var certErr *tls.CertificateVerificationError
	var dnsErr *net.DNSError
	switch {
	case isRedirectError(err), errors.As(err, &certErr):
		return &attemptError{err: err}
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return &attemptError{err: fmt.Errorf("%w; check the URL's host", err)}
	case errors.Is(actx.Err(), context.DeadlineExceeded):
		return &attemptError{err: fmt.Errorf("no complete answer within %s: %w", limit, err), retryable: true}
	}
	return &attemptError{err: err, retryable: true}
}

// notModified answers a 304 with the cached list.
func (s *HTTPSource) notModified() ([]Resource, error) {
	if !s.cache.filled {
		return nil, &attemptError{err: errors.New("304 Not Modified to a request that was not conditional")}
	}
	return s.cache.resources, s.cache.err
}

// accept reads a 200's body within the size bound and validates it,
// reusing the cached list when the body is the same.
func (s *HTTPSource) accept(actx context.Context, resp *http.Response, limit time.Duration) ([]Resource, error) {
	if resp.ContentLength > s.cfg.maxSize {
		return nil, s.tooLarge(fmt.Sprintf("%d bytes", resp.ContentLength))
	}
	var body strings.Builder
	body.Grow(int(max(resp.ContentLength, 0)) + 1)
	n, err := io.Copy(&body, io.LimitReader(resp.Body, s.cfg.maxSize+1))
	if err != nil {
		return nil, transportError(actx, fmt.Errorf("reading the body: %w", err), limit)
	}
	if n > s.cfg.maxSize {
		return nil, s.tooLarge("more")
	}
	s.remember(resp.Header, body.String())
	return s.cache.resources, s.cache.err
}

// tooLarge is the error of a body over the bound; it is not retried.
func (s *HTTPSource) tooLarge(size string) *attemptError {
	return &attemptError{err: fmt.Errorf("the body is %s, over the limit of %d bytes; raise it with WithMaxSize", size, s.cfg.maxSize)}
}

// remember validates a new body into the cache, with its validators. The
// same body as before keeps the cached slice.
func (s *HTTPSource) remember(h http.Header, text string) {
	c := &s.cache
	c.etag, c.lastModified = h.Get("ETag"), h.Get("Last-Modified")
	c.parsed = c.parsed.next(s.display, text)
}
