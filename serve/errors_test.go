package serve

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// A list that breaks is told everywhere, with what is wrong, and the
// lab comes back when it is mended.
func TestABrokenListIsToldAndMended(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	events.next(t)
	resp, _ := get(t, srv.URL+"/healthz")
	require.Equal(t, http.StatusOK, resp.StatusCode)

	lab.writeText(t, `[{"id": "phone-0"}, {"id": "phone-0"}]`)
	events.waitFor(t, "the broken list", func(r *eventReader) bool { return r.err != "" })
	assert.Contains(t, events.err, `duplicate id "phone-0"`)
	assert.Contains(t, events.err, lab.path, "the error names the file")

	resp, body := get(t, srv.URL+"/healthz")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	var hz health
	decode(t, body, &hz)
	assert.Equal(t, "degraded", hz.Status)
	assert.Contains(t, hz.Error, "duplicate id")
	for _, path := range []string{"/resources.json", "/api/status", "/api/fit?requirements=os%3Dandroid"} {
		resp, body := get(t, srv.URL+path)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, path)
		var p problem
		decode(t, body, &p)
		assert.Contains(t, p.Error, "duplicate id", path)
	}
	resp, _ = get(t, srv.URL+"/resources.json")
	assert.Equal(t, "5", resp.Header.Get("Retry-After"), "a client of the list tries again")
	m := scrape(t, srv.URL)
	assert.Equal(t, 0.0, value(m, "lockable_up"))
	assert.GreaterOrEqual(t, value(m, "lockable_resources_list_reload_errors_total"), 1.0)

	lab.write(t, phones(2)...)
	events.waitFor(t, "the mended list", func(r *eventReader) bool { return r.err == "" && len(r.order) == 2 })
	resp, _ = get(t, srv.URL+"/healthz")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// An HTTP source's credentials are never served: not in the errors, not
// as the source's name.
func TestCredentialsOfTheSourceAreNeverServed(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		http.Error(w, "denied "+user+" "+pass, http.StatusForbidden) // a careless server echoes them
	}))
	defer upstream.Close()
	rawURL := strings.Replace(upstream.URL, "http://", "http://lab:s3cret-pw@", 1) + "/resources.json"
	src := provider.HTTP(rawURL, provider.WithRetries(0))
	l, err := core.New(t.Context(), src, core.WithHostname(testHost), core.WithLockFolder(t.TempDir()))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	_, srv := serveWith(t, l, src)

	events := openEvents(t, srv.URL+"/events")
	events.waitFor(t, "the error", func(r *eventReader) bool { return r.err != "" })
	assert.Equal(t, strings.Replace(upstream.URL, "http://", "http://xxxxx@", 1)+"/resources.json", events.source, "the source's name has its credentials masked")
	for _, path := range []string{"/healthz", "/resources.json", "/api/status", "/metrics", "/"} {
		_, body := get(t, srv.URL+path)
		assert.NotContains(t, body, "s3cret-pw", path)
	}
	assert.NotContains(t, events.err, "s3cret-pw")
	assert.Contains(t, events.err, "403")
}

func TestReadOnlyAndBounded(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	_, srv := serveLab(t, lab, WithMaxStreams(1))
	resp, err := http.Post(srv.URL+"/api/status", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "nothing changes the lab")

	first := openEvents(t, srv.URL+"/events")
	first.next(t)
	resp, body := get(t, srv.URL+"/events")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "one stream more than the bound")
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "too many live pages")

	resp, _ = get(t, srv.URL+"/nothing")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get(t, srv.URL+"/static/index.html")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "only the page's assets")
	resp, _ = get(t, srv.URL+"/")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
}
