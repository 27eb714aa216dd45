package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// testHost is the host of the test labs' local resources.
const testHost = "bench-1"

// seeWithin bounds every wait for the page, the events or the metrics to
// show a change. The changes come within milliseconds; the bound is for a
// loaded machine.
const seeWithin = 20 * time.Second

// testLab is a lab on disk: a resources file and a lock folder (or a
// backend).
type testLab struct {
	path    string
	locks   string
	backend string
	host    string
}

// newTestLab writes resources as the lab's list, with a lock folder of its
// own.
func newTestLab(t testing.TB, resources ...map[string]any) *testLab {
	t.Helper()
	lab := &testLab{path: filepath.Join(t.TempDir(), "resources.json"), locks: t.TempDir(), host: testHost}
	lab.write(t, resources...)
	return lab
}

func (lab *testLab) write(t testing.TB, resources ...map[string]any) {
	t.Helper()
	data, err := json.MarshalIndent(resources, "", "  ")
	require.NoError(t, err)
	lab.writeText(t, string(data))
}

// writeText replaces the list with text, atomically.
func (lab *testLab) writeText(t testing.TB, text string) {
	t.Helper()
	tmp := lab.path + ".new"
	require.NoError(t, os.WriteFile(tmp, []byte(text), 0o644))
	require.NoError(t, os.Rename(tmp, lab.path))
}

// open returns a Lockable over the lab and its source, closed when the
// test ends.
func (lab *testLab) open(t testing.TB) (*core.Lockable, *provider.FileSource) {
	t.Helper()
	src := provider.File(lab.path)
	opts := []core.Option{core.WithHostname(lab.host)}
	if lab.backend != "" {
		opts = append(opts, core.WithBackend(lab.backend))
	} else {
		opts = append(opts, core.WithLockFolder(lab.locks))
	}
	l, err := core.New(t.Context(), src, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l, src
}

// phones returns n online local phones phone-0 ... phone-(n-1).
func phones(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"id": fmt.Sprintf("phone-%d", i), "hostname": testHost, "online": true, "type": "phone", "os": "android"}
	}
	return out
}

// serveLab serves the lab with a handler on a loopback server; both end
// with the test, the handler first (it ends the streams the server would
// wait for).
func serveLab(t testing.TB, lab *testLab, opts ...Option) (*Handler, *httptest.Server) {
	t.Helper()
	l, src := lab.open(t)
	return serveWith(t, l, src, opts...)
}

// serveWith is serveLab for a Lockable and source of the test's own; it
// closes neither.
func serveWith(t testing.TB, l *core.Lockable, src core.Source, opts ...Option) (*Handler, *httptest.Server) {
	t.Helper()
	h := New(l, src, opts...)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { require.NoError(t, h.Close()) })
	return h, srv
}

// get GETs url and returns the answer with its body read.
func get(t testing.TB, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// decode decodes a JSON body into v.
func decode(t testing.TB, body string, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(body), v), "body: %s", body)
}

// sseEvent is one server-sent event.
type sseEvent struct {
	name, id string
	data     envelope
}

// eventReader reads an event stream and keeps the lab it tells, applied
// as the page applies it.
type eventReader struct {
	events chan sseEvent
	cancel context.CancelFunc
	done   chan struct{}
	resp   *http.Response

	lab    map[string]resourceView // the resources as the events tell them
	order  []string
	err    string
	source string
	seen   int // events read
}

// resourceView is what a test looks at in a resource's status.
type resourceView struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Holder *struct {
		PID    int     `json:"pid"`
		Owner  string  `json:"owner"`
		Queued float64 `json:"queued_seconds"`
	} `json:"holder"`
	Token int64   `json:"fencing_token"`
	TTL   float64 `json:"ttl_seconds"`
}

// openEvents opens url's event stream; it is closed when the test ends.
func openEvents(t testing.TB, url string) *eventReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		require.NoError(t, err)
	}
	r := &eventReader{events: make(chan sseEvent, 100), cancel: cancel, done: make(chan struct{}), resp: resp, lab: map[string]resourceView{}}
	go r.read(resp.Body)
	t.Cleanup(r.close)
	return r
}

func (r *eventReader) close() {
	r.cancel()
	<-r.done
	r.resp.Body.Close()
}

func (r *eventReader) read(body io.Reader) {
	defer close(r.done)
	defer close(r.events)
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 16<<20)
	var ev sseEvent
	var data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" && json.Unmarshal([]byte(data), &ev.data) == nil {
				r.events <- ev
			}
			ev, data = sseEvent{}, ""
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "id: "):
			ev.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// next returns the next event.
func (r *eventReader) next(t testing.TB) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-r.events:
		require.True(t, ok, "the event stream ended")
		r.apply(t, ev)
		return ev
	case <-time.After(seeWithin):
		t.Fatalf("no event within %s", seeWithin)
		return sseEvent{}
	}
}

// apply takes an event into the lab as the page does: a status replaces
// it, an update replaces the resources it carries.
func (r *eventReader) apply(t testing.TB, ev sseEvent) {
	t.Helper()
	r.seen++
	r.err, r.source = ev.data.Error, ev.data.Source
	if ev.data.Status == nil {
		return
	}
	var st struct {
		Resources []resourceView `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(ev.data.Status, &st))
	if ev.name == "status" {
		r.lab, r.order = map[string]resourceView{}, nil
		for _, res := range st.Resources {
			r.order = append(r.order, res.ID)
		}
	}
	for _, res := range st.Resources {
		r.lab[res.ID] = res
	}
}

// waitFor reads events until cond holds of the lab they tell.
func (r *eventReader) waitFor(t testing.TB, what string, cond func(*eventReader) bool) {
	t.Helper()
	deadline := time.Now().Add(seeWithin)
	for !cond(r) {
		if time.Now().After(deadline) {
			t.Fatalf("the events did not tell %s within %s (lab: %+v, error %q)", what, seeWithin, r.lab, r.err)
		}
		r.next(t)
	}
}

// heldBy is the pid of the holder of resource id, as the events tell;
// 0 when it is not held or its lock does not say yet.
func (r *eventReader) heldBy(id string) int {
	if res := r.lab[id]; res.State == "held" && res.Holder != nil {
		return res.Holder.PID
	}
	return 0
}

// state is the state the events tell of resource id.
func (r *eventReader) state(id string) string { return r.lab[id].State }

// escape is s as a query value.
func escape(s string) string { return url.QueryEscape(s) }

// newServer serves h on a loopback server for the test and returns its
// URL.
func newServer(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
