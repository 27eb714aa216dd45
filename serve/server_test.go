package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortTimeouts makes the server's timeouts and the heartbeat short, so
// that a test sees a stream outlive them.
func shortTimeouts() Option {
	return optionFunc(func(c *config) {
		c.readTimeout, c.writeTimeout, c.heartbeat = 100*time.Millisecond, 100*time.Millisecond, 50*time.Millisecond
	})
}

// An event stream outlives the server's read and write timeouts, which
// bound every other request; ending the context shuts the server down at
// once, streams open or not, and frees its port.
func TestServeKeepsStreamsAndShutsDownGracefully(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	l, src := lab.open(t)
	h := New(l, src, shortTimeouts())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- h.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	events := openEvents(t, url+"/events")
	events.next(t)
	other := startHolder(t, lab, "id=phone-0", "")
	other.expect(t, "locked")
	time.Sleep(300 * time.Millisecond) // past both timeouts: what is tested is that nothing ends
	events.waitFor(t, "phone-0 held, past the timeouts", func(r *eventReader) bool { return r.heldBy("phone-0") == other.pid() })

	resp, _ := get(t, url+"/healthz")
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	start := time.Now()
	cancel()
	select {
	case err := <-served:
		require.NoError(t, err, "a graceful shutdown")
	case <-time.After(seeWithin):
		t.Fatalf("Serve did not return within %s of its context's end", seeWithin)
	}
	t.Logf("shut down in %s with a stream open", time.Since(start))
	for range events.events { // the stream ended
	}
	again, err := net.Listen("tcp", ln.Addr().String())
	require.NoError(t, err, "the port is free")
	again.Close()

	assert.ErrorIs(t, h.Serve(t.Context(), mustListen(t)), ErrClosed, "a closed handler serves no more")
}

func mustListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

// Serve returns the error that ends serving, such as a listener closed
// under it.
func TestServeReturnsWhatEndsIt(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	l, src := lab.open(t)
	h := New(l, src)
	ln := mustListen(t)
	served := make(chan error, 1)
	go func() { served <- h.Serve(t.Context(), ln) }()
	resp, _ := get(t, "http://"+ln.Addr().String()+"/healthz")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, ln.Close())
	err := <-served
	require.Error(t, err)
	assert.True(t, errors.Is(err, net.ErrClosed), "%v", err)
}

// Mounted under a prefix, the handler serves the same paths below it.
func TestMountedUnderAPrefix(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	h, _ := serveLab(t, lab)
	mux := http.NewServeMux()
	mux.Handle("/lab/", http.StripPrefix("/lab", h))
	mux.Handle("/lab", http.StripPrefix("/lab", h))
	srv := newServer(t, mux)

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv + "/lab")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "/lab/", resp.Header.Get("Location"))
	for _, path := range []string{"/lab/", "/lab/static/app.js", "/lab/api/status", "/lab/resources.json", "/lab/healthz", "/lab/metrics"} {
		resp, _ := get(t, srv+path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	events := openEvents(t, srv+"/lab/events")
	assert.Equal(t, "status", events.next(t).name)
}

// An idle stream sends a comment every heartbeat, so that proxies keep it
// open; it starts by telling the browser how soon to reconnect.
func TestIdleStreamsSendHeartbeats(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	_, srv := serveLab(t, lab, optionFunc(func(c *config) { c.heartbeat = 20 * time.Millisecond }))
	ctx, cancel := context.WithTimeout(t.Context(), seeWithin)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var seen strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(seen.String(), ": keep-alive\n\n: keep-alive\n\n") {
		n, err := resp.Body.Read(buf)
		require.NoError(t, err, "read so far: %q", seen.String())
		seen.Write(buf[:n])
	}
	assert.True(t, strings.HasPrefix(seen.String(), "retry: 2000\n\nid: 1\nevent: status\ndata: {"), "%q", seen.String())
}
