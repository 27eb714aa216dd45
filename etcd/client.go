package etcd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// maxIdlePerMember bounds the idle connections kept to each member: one
// per request running at the same time (renewals, tries, reads). The
// watch holds one more while it lasts.
const maxIdlePerMember = 16

// client speaks etcd's v3 JSON API, the gRPC gateway that etcd serves on
// its client port: every call is one POST of one JSON body to
// /v3/<service>/<method>. It sends each call to the member that answered
// last, and moves on to the next when one cannot be reached, has no
// leader or fails; it is safe for concurrent use.
type client struct {
	http      *http.Client
	transport *http.Transport
	endpoints []string     // host:port, in the URL's order
	current   atomic.Int32 // the endpoint that answered last

	user, password string
	authing        chan struct{} // holds a value while authenticating
	tokenMu        sync.Mutex
	token          string // the auth token, if the cluster has auth
	authed         bool   // token is set
}

// newClient makes a client of the members s names. It connects on first
// use.
func newClient(s settings) *client {
	// A member that does not answer leaves time to try the others.
	dialer := &net.Dialer{Timeout: s.timeout / time.Duration(len(s.endpoints)), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: maxIdlePerMember,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{http: &http.Client{Transport: tr}, transport: tr, endpoints: s.endpoints,
		user: s.user, password: s.password, authing: make(chan struct{}, 1)}
}

// close closes the idle connections; calls in flight end by themselves.
func (c *client) close() { c.transport.CloseIdleConnections() }

// call posts req as JSON to path and decodes etcd's answer into resp,
// within ctx (see send).
func (c *client) call(ctx context.Context, path string, req, resp any) error {
	body, err := c.send(ctx, path, req)
	if err != nil {
		return err
	}
	return decode(body, path, resp)
}

// decode reads one JSON answer into resp and closes the body.
func decode(body io.ReadCloser, path string, resp any) error {
	defer drain(body)
	if err := json.NewDecoder(body).Decode(resp); err != nil {
		return fmt.Errorf("reading etcd's answer to %s: %w", path, err)
	}
	return nil
}

// send posts req as JSON to path and returns the body of etcd's answer,
// which the caller closes. While no member can answer (none reachable,
// none with a leader), it tries again after a pause until ctx is done.
func (c *client) send(ctx context.Context, path string, req any) (io.ReadCloser, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding a request to %s: %w", path, err)
	}
	var last error
	for {
		r, err := c.authorized(ctx, path, body)
		if err == nil || !elsewhere(err) {
			return r, withLast(err, last)
		}
		last = err
		pause := time.NewTimer(retryPause)
		select {
		case <-ctx.Done():
			pause.Stop()
			return nil, withLast(ctx.Err(), last)
		case <-pause.C:
		}
	}
}

// withLast adds to the error of a done context the error of the attempt
// before, which says why nothing answered (connection refused, no
// leader), unless it has one.
func withLast(err, last error) error {
	var told *lastError
	if last == nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) || errors.As(err, &told) {
		return err
	}
	return &lastError{done: err, last: last}
}

// lastError is the error of a done context, and of the attempt before.
type lastError struct{ done, last error }

func (e *lastError) Error() string   { return fmt.Sprintf("%v (the last error: %v)", e.done, e.last) }
func (e *lastError) Unwrap() []error { return []error{e.done, e.last} }

// authorized posts body with the auth token, if the URL has a user; when
// etcd says the token is no longer valid (it expired), it authenticates
// again and posts once more.
func (c *client) authorized(ctx context.Context, path string, body []byte) (io.ReadCloser, error) {
	token, err := c.authToken(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.post(ctx, path, body, token)
	if token == "" || !hasCode(err, codeUnauthenticated) {
		return r, err
	}
	c.forget(token)
	if token, err = c.authToken(ctx); err != nil {
		return nil, err
	}
	return c.post(ctx, path, body, token)
}

// post tries each member once, from the one that answered last, and
// remembers the one that answers.
func (c *client) post(ctx context.Context, path string, body []byte, token string) (io.ReadCloser, error) {
	first := int(c.current.Load())
	var last error
	for i := range c.endpoints {
		n := (first + i) % len(c.endpoints)
		r, err := c.postTo(ctx, c.endpoints[n], path, body, token)
		if err == nil {
			c.current.Store(int32(n))
			return r, nil
		}
		if !elsewhere(err) {
			return nil, withLast(err, last)
		}
		last = err
	}
	return nil, last
}

// postTo makes one request to one member. Every request asks for a
// member with a leader (Grpc-Metadata-hasleader), so that one without
// fails at once rather than after its own timeout.
func (c *client) postTo(ctx context.Context, endpoint, path string, body []byte, token string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Grpc-Metadata-hasleader", "true")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer drain(resp.Body)
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, errorAnswer(endpoint, path, resp.StatusCode, data)
	}
	return resp.Body, nil
}

// errorAnswer reads an answer that is not 200 OK.
func errorAnswer(endpoint, path string, status int, body []byte) error {
	e := parseError(status, body)
	if e.Code == 0 && status == http.StatusNotFound {
		e.Message += fmt.Sprintf(" (%s has no %s: is this etcd's client port, and its JSON gateway on? etcd 3.4 or later, --enable-grpc-gateway)", endpoint, path)
	}
	return e
}

// drain reads what is left of a body, so that its connection serves the
// next request, and closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxErrorBody))
	body.Close()
}
