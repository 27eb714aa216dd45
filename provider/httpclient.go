package provider

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// redirectError is a redirect the policy refused; it is not retried.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// httpClient returns the client of a source: the caller's, with the
// redirect policy added when it has none, or one of its own.
func (c *httpConfig) httpClient() *http.Client {
	if c.client != nil {
		client := *c.client
		if client.CheckRedirect == nil {
			client.CheckRedirect = c.checkRedirect
		}
		return &client
	}
	return &http.Client{Transport: c.transport(), CheckRedirect: c.checkRedirect}
}

// transport is like http.DefaultTransport (proxy from the environment,
// HTTP/2, the system's root certificates) with the connect timeout.
func (c *httpConfig) transport() *http.Transport {
	dialer := &net.Dialer{Timeout: c.connectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   c.connectTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// checkRedirect bounds redirects and refuses to leave https for http, so
// that credentials never travel in clear text. (net/http itself drops the
// Authorization header on a redirect to another host.)
func (c *httpConfig) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.maxRedirects {
		return &redirectError{fmt.Sprintf("stopped after %d redirects; check the URL, or allow more with WithMaxRedirects", c.maxRedirects)}
	}
	switch scheme := req.URL.Scheme; {
	case scheme != "http" && scheme != "https":
		return &redirectError{"refused a redirect to " + scheme + ": a resources list is served over http or https"}
	case via[0].URL.Scheme == "https" && scheme != "https":
		return &redirectError{"refused a redirect from https to " + scheme}
	}
	return nil
}

// isRedirectError reports whether err is a refused redirect.
func isRedirectError(err error) bool {
	var re *redirectError
	return errors.As(err, &re)
}
