package provider

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-lockable/lockable/internal/version"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const twoPhones = `[{"id": "p1", "os": "android"}, {"id": "p2", "os": "ios"}]`

func TestHTTPGet(t *testing.T) {
	var seen atomic.Pointer[http.Header]
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		seen.Store(&h)
		assert.Equal(t, http.MethodGet, r.Method)
		_, _ = io.WriteString(w, twoPhones)
	})
	res, err := HTTP(srv.URL, fast()...).Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"p1", "p2"}, ids(res))
	got := *seen.Load()
	assert.Equal(t, "go-lockable/"+version.String(), got.Get("User-Agent"))
	assert.Equal(t, "application/json", got.Get("Accept"))
	assert.Empty(t, got.Get("Authorization"))
	assert.Empty(t, got.Get("If-None-Match"))
}

func TestHTTPNotModifiedAfterETag(t *testing.T) {
	var hits atomic.Int32
	var conditional atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("ETag", `"v1"`)
		conditional.Store(r.Header.Get("If-None-Match"))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	src := HTTP(srv.URL, fast()...)
	first, again := loadTwice(t, src)
	assert.Equal(t, `"v1"`, conditional.Load())
	assert.EqualValues(t, 2, hits.Load())
	assertSameSlice(t, first, again)
}

func TestHTTPNotModifiedAfterLastModified(t *testing.T) {
	stamp := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", stamp)
		if r.Header.Get("If-Modified-Since") == stamp {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	src := HTTP(srv.URL, fast()...)
	assertReloadKeepsSlice(t, src)
}

func TestHTTPSameBodyKeepsSlice(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, twoPhones) // no validators
	})
	src := HTTP(srv.URL, fast()...)
	assertReloadKeepsSlice(t, src)
}

func TestHTTPChangedList(t *testing.T) {
	var version atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		v := fmt.Sprintf(`"v%d"`, version.Load())
		w.Header().Set("ETag", v)
		if r.Header.Get("If-None-Match") == v {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `[{"id": "p%d"}]`, version.Load())
	})
	src := HTTP(srv.URL, fast()...)
	res, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"p0"}, ids(res))
	version.Store(1)
	res, err = src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"p1"}, ids(res))
}

func TestHTTPRetryAfterHonoured(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) <= 2 {
			w.Header().Set("Retry-After", "3")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	var waits []time.Duration
	res, err := HTTP(srv.URL, append(fast(), WithRetryBudget(time.Minute), recordWaits(&waits))...).Resources(t.Context())
	require.NoError(t, err)
	assert.Len(t, res, 2)
	assert.EqualValues(t, 3, hits.Load())
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, waits)
}

func TestHTTPBackoffGrowsWithJitter(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) <= 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	var waits []time.Duration
	opts := append(fast(), WithBackoff(100*time.Millisecond, 300*time.Millisecond), recordWaits(&waits))
	_, err := HTTP(srv.URL, opts...).Resources(t.Context())
	require.NoError(t, err)
	require.Len(t, waits, 3)
	for i, bounds := range [][2]time.Duration{{50, 100}, {100, 200}, {150, 300}} {
		assert.GreaterOrEqual(t, waits[i], bounds[0]*time.Millisecond, "wait %d", i)
		assert.LessOrEqual(t, waits[i], bounds[1]*time.Millisecond, "wait %d", i)
	}
}

func TestHTTPServerErrorUntilBudgetEnds(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "database down", http.StatusInternalServerError)
	})
	opts := append(fast(), WithRetries(1000), WithRetryBudget(150*time.Millisecond), WithBackoff(10*time.Millisecond, 40*time.Millisecond))
	_, err := HTTP(srv.URL, opts...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.NotErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "500 Internal Server Error: database down")
	assert.Contains(t, err.Error(), "retry budget of 150ms")
	assert.Greater(t, hits.Load(), int32(1))
}

func TestHTTPRetriesBoundedInCount(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	})
	var waits []time.Duration
	_, err := HTTP(srv.URL, append(fast(), WithRetries(2), recordWaits(&waits))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "502 Bad Gateway (gave up after 3 attempts)")
	assert.EqualValues(t, 3, hits.Load())
	assert.Len(t, waits, 2)
}

func TestHTTPRetryAfterPastBudget(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	_, err := HTTP(srv.URL, fast()...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "waiting 1h0m0s more would pass the retry budget")
	assert.EqualValues(t, 1, hits.Load())
}

func TestHTTPClientErrorFailsAtOnce(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{http.StatusNotFound, "404 Not Found (check the URL): no list here"},
		{http.StatusForbidden, "403 Forbidden (check the credentials): no list here"},
		{http.StatusBadRequest, "400 Bad Request: no list here"},
		{http.StatusNotImplemented, "501 Not Implemented: no list here"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			var hits atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				hits.Add(1)
				http.Error(w, "no list\n  here", tt.code)
			})
			_, err := HTTP(srv.URL, fast()...).Resources(t.Context())
			require.ErrorIs(t, err, ErrUnavailable)
			assert.Equal(t, fmt.Sprintf("resources list unavailable: GET %s: %s", srv.URL, tt.want), err.Error())
			assert.EqualValues(t, 1, hits.Load())
		})
	}
}

func TestHTTPErrorExcerptIsShort(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, strings.Repeat("x", 5000), http.StatusNotFound)
	})
	_, err := HTTP(srv.URL, fast()...).Resources(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), strings.Repeat("x", excerptBytes)+"…")
	assert.Less(t, len(err.Error()), 400)
}

func TestHTTPBodyNotJSON(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "<html>\n<body>login</body></html>")
	})
	_, err := HTTP(srv.URL, fast()...).Resources(t.Context())
	verr := requireValidationError(t, err)
	assert.Equal(t, srv.URL, verr.Source)
	assert.Contains(t, err.Error(), srv.URL+":1:1: not valid JSON: invalid character '<'")
}

func TestHTTPDuplicateID(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("ETag", `"bad"`)
		if r.Header.Get("If-None-Match") == `"bad"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, "[\n{\"id\": \"p1\"},\n{\"id\": \"p1\"}\n]")
	})
	src := HTTP(srv.URL, fast()...)
	_, err := src.Resources(t.Context())
	verr := requireValidationError(t, err)
	require.Len(t, verr.Problems, 1)
	assert.Equal(t, Problem{Index: 1, Line: 3, Column: 1, ID: "p1",
		Message: `duplicate id "p1", first used at [0] (2:1); ids must be unique`}, verr.Problems[0])
	assert.EqualValues(t, 1, hits.Load(), "an invalid list is not retried")

	_, again := src.Resources(t.Context())
	assert.Same(t, err, again, "304 keeps the same error")
}

func TestHTTPStallTimesOut(t *testing.T) {
	srv := serve(t, stall)
	_, err := HTTP(srv.URL, append(fast(), WithAttemptTimeout(100*time.Millisecond), WithRetries(0))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "no complete answer within 100ms")
}

// When the last attempt gets no answer, the error still tells what the
// server said before.
func TestHTTPGivingUpNamesTheLastAnswer(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			http.Error(w, "database down", http.StatusServiceUnavailable)
			return
		}
		stall(w, r)
	})
	opts := append(fast(), WithAttemptTimeout(100*time.Millisecond), WithRetries(1))
	_, err := HTTP(srv.URL, opts...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "no complete answer within 100ms")
	assert.Contains(t, err.Error(), "the server's last answer: 503 Service Unavailable: database down")
}

func TestHTTPStallInBodyTimesOut(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `[{"id": `)
		w.(http.Flusher).Flush()
		stall(w, r)
	})
	_, err := HTTP(srv.URL, append(fast(), WithAttemptTimeout(100*time.Millisecond), WithRetries(0))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "no complete answer within 100ms: reading the body")
}

func TestHTTPCancelStopsAStalledRequest(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		stall(w, r)
	})
	ctx, cancel := context.WithCancel(t.Context())
	errc := fetchAsync(ctx, HTTP(srv.URL, WithAttemptTimeout(time.Hour), WithRetryBudget(time.Hour)))
	waitFor(t, arrived)
	cancel()
	err := waitFor(t, errc)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrUnavailable)
}

func TestHTTPCancelStopsABackoff(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	waiting := make(chan time.Duration, 1)
	ctx, cancel := context.WithCancel(t.Context())
	errc := fetchAsync(ctx, HTTP(srv.URL, WithBackoff(time.Hour, time.Hour), WithRetryBudget(24*time.Hour), signalWaits(waiting)))
	waitFor(t, waiting)
	cancel()
	err := waitFor(t, errc)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "last attempt: 503 Service Unavailable")
}

func TestHTTPBodyTooLarge(t *testing.T) {
	big := "[" + strings.Repeat(`{"id": "x"},`, 200) + `{"id": "y"}]`
	tests := map[string]func(w http.ResponseWriter){
		"with Content-Length": func(w http.ResponseWriter) { _, _ = io.WriteString(w, big) },
		"chunked": func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, big[:10])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big[10:])
		},
	}
	for name, write := range tests {
		t.Run(name, func(t *testing.T) {
			var hits atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				hits.Add(1)
				write(w)
			})
			_, err := HTTP(srv.URL, append(fast(), WithMaxSize(1024))...).Resources(t.Context())
			require.ErrorIs(t, err, ErrUnavailable)
			assert.Contains(t, err.Error(), "over the limit of 1024 bytes; raise it with WithMaxSize")
			assert.EqualValues(t, 1, hits.Load(), "not retried")
		})
	}
}

func TestHTTPRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/new", http.StatusMovedPermanently))
	mux.HandleFunc("/new", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, twoPhones) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	res, err := HTTP(srv.URL+"/old", fast()...).Resources(t.Context())
	require.NoError(t, err)
	assert.Len(t, res, 2)
}

func TestHTTPRedirectLoop(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	})
	_, err := HTTP(srv.URL+"/loop", fast()...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "stopped after 10 redirects")
	assert.EqualValues(t, 11, hits.Load(), "the first request and 10 redirects, not retried")

	hits.Store(0)
	_, err = HTTP(srv.URL+"/loop", append(fast(), WithMaxRedirects(2))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "stopped after 2 redirects")
	assert.EqualValues(t, 3, hits.Load())
}

func TestHTTPClosedMidBodyIsRetried(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) == 1 {
			cutShort(t, w)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	res, err := HTTP(srv.URL, fast()...).Resources(t.Context())
	require.NoError(t, err)
	assert.Len(t, res, 2)
	assert.EqualValues(t, 2, hits.Load())
}

func TestHTTPAlwaysClosedMidBody(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { cutShort(t, w) })
	_, err := HTTP(srv.URL, append(fast(), WithRetries(2))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.NotErrorIs(t, err, ErrInvalid, "half a body is never validated")
	assert.Contains(t, err.Error(), "reading the body: unexpected EOF (gave up after 3 attempts)")
}

func TestHTTPConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	var waits []time.Duration
	_, err := HTTP(url, append(fast(), WithRetries(2), recordWaits(&waits))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "connection refused")
	assert.Len(t, waits, 2, "connection errors are retried")
}

func TestHTTPBearerTokenNeverShown(t *testing.T) {
	const token = "s3cr3t-t0k3n"
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.Error(w, "bad credentials: "+r.Header.Get("Authorization"), http.StatusUnauthorized)
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := HTTP(srv.URL, append(fast(), WithBearerToken(token), WithLogger(logger))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "401 Unauthorized (check the credentials): bad credentials: Bearer xxxxx")
	assert.NotContains(t, err.Error(), token)
	assert.Contains(t, logs.String(), "retrying")
	assert.NotContains(t, logs.String(), token)
}

func TestHTTPCredentials(t *testing.T) {
	tests := []struct {
		name string
		opt  HTTPOption
		want string
	}{
		{"bearer", WithBearerToken("tok"), "Bearer tok"},
		{"basic", WithBasicAuth("lab", "pw"), "Basic bGFiOnB3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got atomic.Value
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				got.Store(r.Header.Get("Authorization"))
				_, _ = io.WriteString(w, `[]`)
			})
			_, err := HTTP(srv.URL, append(fast(), tt.opt)...).Resources(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Load())
		})
	}
}

func TestHTTPBasicAuthNeverShown(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "you sent "+r.Header.Get("Authorization"), http.StatusForbidden)
	})
	_, err := HTTP(srv.URL, append(fast(), WithBasicAuth("lab", "pw-secret"))...).Resources(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "you sent Basic xxxxx")
}

func TestHTTPCredentialsNotSentToAnotherHost(t *testing.T) {
	var got atomic.Value
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		_, _ = io.WriteString(w, `[]`)
	})
	elsewhere := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere, http.StatusFound)
	})
	_, err := HTTP(srv.URL, append(fast(), WithBearerToken("tok"))...).Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "", got.Load())
}

func TestHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, twoPhones)
	}))
	t.Cleanup(srv.Close)
	res, err := HTTP(srv.URL, append(fast(), WithHTTPClient(srv.Client()))...).Resources(t.Context())
	require.NoError(t, err)
	assert.Len(t, res, 2)
}

func TestHTTPSUnknownAuthorityIsNotRetried(t *testing.T) {
	var handshakes atomic.Int32
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		handshakes.Add(1)
		return nil, nil
	}}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, err := HTTP(srv.URL, fast()...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "certificate")
	assert.EqualValues(t, 1, handshakes.Load())
}

func TestHTTPSRefusesRedirectToHTTP(t *testing.T) {
	var plainHits atomic.Int32
	plain := serve(t, func(http.ResponseWriter, *http.Request) { plainHits.Add(1) })
	srv := httptest.NewTLSServer(http.RedirectHandler(plain.URL, http.StatusFound))
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = nil
	_, err := HTTP(srv.URL, append(fast(), WithHTTPClient(client), WithBearerToken("tok"))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "refused a redirect from https to http")
	assert.EqualValues(t, 0, plainHits.Load())
}

func TestHTTPConcurrentCallers(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	src := HTTP(srv.URL, fast()...)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			res, err := src.Resources(t.Context())
			if assert.NoError(t, err) {
				assert.Equal(t, []string{"p1", "p2"}, ids(res))
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, hits.Load(), int32(16))
	t.Logf("16 callers, %d requests", hits.Load())
}

func TestHTTPBadURL(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"http://lab:99999999999/res.json?\x7f", "invalid URL"},
		{"ftp://user:pw@lab/res.json", "ftp://xxxxx@lab/res.json: not an http or https URL"},
	}
	for _, tt := range tests {
		_, err := HTTP(tt.url).Resources(t.Context())
		require.ErrorIs(t, err, ErrUnavailable, tt.url)
		assert.Contains(t, err.Error(), tt.want)
		assert.NotContains(t, err.Error(), "pw@")
	}
	assert.Equal(t, "https://xxxxx@host/r.json", HTTP("https://lab:pw@host/r.json").URL())
}

// The credentials of the URL itself never come back in an error or a log
// line, even when the server echoes them: as given, percent-encoded, or as
// the Basic auth value the client sent.
func TestHTTPURLCredentialsNeverShown(t *testing.T) {
	const pass = "s3cret/pa:ss"
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			http.Error(w, "busy, "+r.Header.Get("Authorization"), http.StatusServiceUnavailable)
			return
		}
		user, pw, _ := r.BasicAuth()
		http.Error(w, fmt.Sprintf("denied %s:%s (%s) via %s", user, pw, r.Header.Get("Authorization"), r.URL), http.StatusForbidden)
	})
	raw := strings.Replace(srv.URL, "://", "://alice:"+url.QueryEscape(pass)+"@", 1) + "/lab.json?private_token=tok-12345"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := HTTP(raw, append(fast(), WithLogger(logger))...)
	_, err := src.Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "403 Forbidden")
	for _, text := range []string{err.Error(), logs.String(), src.URL()} {
		assert.NotContains(t, text, pass)
		assert.NotContains(t, text, url.QueryEscape(pass))
		assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte("alice:"+pass)))
		assert.NotContains(t, text, "tok-12345")
	}
	assert.Contains(t, err.Error(), "denied xxxxx (Basic xxxxx)")
	assert.Contains(t, logs.String(), "busy, Basic xxxxx", "the retried attempt's error, logged")
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":     0,
		"3":    3 * time.Second,
		" 0 ":  0,
		"-5":   0,
		"1.5":  0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		"99999999999": 24 * time.Hour,
	}
	for value, want := range tests {
		assert.Equal(t, want, retryAfter(value, now), "Retry-After: %q", value)
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 1; attempt <= 70; attempt++ {
		d := backoff(time.Second, 8*time.Second, attempt)
		ceiling := min(time.Second<<min(attempt-1, 3), 8*time.Second)
		assert.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
		assert.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
	}
}

// fast returns options that keep tests quick: short waits, a short budget.
func fast() []HTTPOption {
	return []HTTPOption{WithAttemptTimeout(2 * time.Second), WithBackoff(time.Millisecond, 5*time.Millisecond), WithRetryBudget(2 * time.Second)}
}

// recordWaits replaces the waits between attempts: they are recorded, not
// slept, so a test can check them without taking their time.
func recordWaits(waits *[]time.Duration) HTTPOption {
	return optionFunc(func(c *httpConfig) {
		c.sleep = func(ctx context.Context, d time.Duration) error {
			*waits = append(*waits, d)
			return ctx.Err()
		}
	})
}

// signalWaits sends each wait between attempts on c before waiting it.
func signalWaits(c chan<- time.Duration) HTTPOption {
	return optionFunc(func(cfg *httpConfig) {
		cfg.sleep = func(ctx context.Context, d time.Duration) error {
			c <- d
			return sleep(ctx, d)
		}
	})
}

// serve starts a loopback server closed at the end of the test.
func serve(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// stall answers nothing until the client goes away.
func stall(_ http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// cutShort promises a body and closes the connection in its middle.
func cutShort(t *testing.T, w http.ResponseWriter) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if !assert.NoError(t, err) {
		return
	}
	defer func() { _ = conn.Close() }()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + twoPhones[:20])
	_ = buf.Flush()
}

// fetchAsync calls Resources in a goroutine and sends its error.
func fetchAsync(ctx context.Context, src Source) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := src.Resources(ctx)
		errc <- err
	}()
	return errc
}

// waitFor receives from c, failing the test if nothing comes in 5s.
func waitFor[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(5 * time.Second):
		require.FailNow(t, "nothing happened within 5s")
		var zero T
		return zero
	}
}

// discardLog is a server error log that drops everything.
func discardLog() *log.Logger {
	return log.New(io.Discard, "", 0)
}

// A redirect to another scheme (file://, ftp://) is refused at once:
// waiting cannot change the answer, so it is not retried.
func TestHTTPRedirectToFileIsRefusedOnce(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	var waits []time.Duration
	_, err := HTTP(srv.URL, append(fast(), recordWaits(&waits))...).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "refused a redirect to file: a resources list is served over http or https")
	assert.EqualValues(t, 1, hits.Load())
	assert.Empty(t, waits, "not retried")
}

func TestHTTPHostThatDoesNotExistIsNotRetried(t *testing.T) {
	err := transportError(t.Context(), &net.DNSError{Err: "no such host", Name: "lab.invalid", IsNotFound: true}, time.Second)
	assert.False(t, err.retryable)
	assert.Contains(t, err.Error(), "check the URL's host")
	err = transportError(t.Context(), &net.DNSError{Err: "server misbehaving", Name: "lab", IsTemporary: true}, time.Second)
	assert.True(t, err.retryable, "a DNS server that fails may answer later")
}

// The caller's deadline bounds the whole load: connecting, the headers,
// the body and every retry, whatever the source's own limits say. A
// server that sends nothing, or a byte a second, is given up on then.
func TestHTTPLoadEndsAtTheCallersDeadline(t *testing.T) {
	trickle := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		for range 1000 {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
	for name, handler := range map[string]http.HandlerFunc{"silent": stall, "trickle": trickle} {
		t.Run(name, func(t *testing.T) {
			srv := serve(t, handler)
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			// The source's own limits would allow a minute.
			src := HTTP(srv.URL, WithAttemptTimeout(30*time.Second), WithRetryBudget(time.Minute))
			done := make(chan error, 1)
			go func() {
				_, err := src.Resources(ctx)
				done <- err
			}()
			select {
			case err := <-done:
				require.ErrorIs(t, err, context.DeadlineExceeded)
			case <-time.After(10 * time.Second):
				t.Fatal("the load went on past the caller's deadline")
			}
		})
	}
}

// A done context makes no request: the last list received, or its error.
func TestHTTPDoneContextGetsTheLastList(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, twoPhones)
	})
	src := HTTP(srv.URL, fast()...)
	done, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := src.Resources(done)
	require.ErrorIs(t, err, context.Canceled, "nothing received yet")
	first, err := src.Resources(t.Context())
	require.NoError(t, err)
	again, err := src.Resources(done)
	require.NoError(t, err)
	assert.Same(t, &first[0], &again[0])
	assert.EqualValues(t, 1, hits.Load(), "no request with the done context")
}
