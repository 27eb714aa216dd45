package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/provider"
)

func TestResourcesJSONIsTheListWithValidators(t *testing.T) {
	lab := newTestLab(t, phones(2)...)
	_, srv := serveLab(t, lab)
	want, err := os.ReadFile(lab.path)
	require.NoError(t, err)

	resp, body := get(t, srv.URL+"/resources.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, string(want), body, "the file's bytes, as they are")
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	etag := resp.Header.Get("ETag")
	assert.Regexp(t, `^"[0-9a-f]{32}"$`, etag, "a strong validator")
	modified := resp.Header.Get("Last-Modified")
	_, err = http.ParseTime(modified)
	require.NoError(t, err, "Last-Modified %q", modified)

	resp, body = get(t, srv.URL+"/resources.json", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	assert.Empty(t, body)
	resp, _ = get(t, srv.URL+"/resources.json", "If-Modified-Since", modified)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	resp, _ = get(t, srv.URL+"/resources.json", "If-None-Match", `"another"`)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// A new list is a new ETag, once the server has read it.
	events := openEvents(t, srv.URL+"/events")
	events.next(t)
	lab.write(t, phones(3)...)
	events.waitFor(t, "the new list", func(r *eventReader) bool { return len(r.order) == 3 })
	resp, body = get(t, srv.URL+"/resources.json", "If-None-Match", etag)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEqual(t, etag, resp.Header.Get("ETag"))
	assert.Contains(t, body, "phone-2")
}

// A source that cannot give its text has its list encoded again: each
// resource's JSON, as the source holds it.
func TestResourcesJSONOfASourceWithoutText(t *testing.T) {
	lab := newTestLab(t, phones(2)...)
	l, _ := lab.open(t)
	_, srv := serveWith(t, l, withoutText{provider.File(lab.path)})
	resp, body := get(t, srv.URL+"/resources.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	list, err := provider.Validate("served", []byte(body))
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, `{"hostname":"bench-1","id":"phone-1","online":true,"os":"android","type":"phone"}`, list[1].JSON(), "keys as the list has them (json.Marshal sorted them)")
}

// withoutText is a source that has Resources only.
type withoutText struct{ src *provider.FileSource }

func (s withoutText) Resources(ctx context.Context) ([]provider.Resource, error) {
	return s.src.Resources(ctx)
}

// Another lockable can use the server as its HTTP source: it makes
// conditional requests, and the server answers 304 while the list is the
// same.
func TestResourcesJSONServesAnHTTPSource(t *testing.T) {
	lab := newTestLab(t, phones(2)...)
	h, _ := serveLab(t, lab)
	var mu sync.Mutex
	var statuses []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		mu.Lock()
		statuses = append(statuses, rec.code)
		mu.Unlock()
	}))
	defer srv.Close()

	src := provider.HTTP(srv.URL + "/resources.json")
	first, err := src.Resources(t.Context())
	require.NoError(t, err)
	require.Len(t, first, 2)
	again, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Same(t, &first[0], &again[0], "a 304 keeps the list")
	mu.Lock()
	assert.Equal(t, []int{http.StatusOK, http.StatusNotModified}, statuses)
	mu.Unlock()
}

// statusRecorder records the status code a handler answers.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
