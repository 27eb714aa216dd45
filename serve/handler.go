package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-lockable/lockable/core"
)

// Handler serves one lab: the live page, the status and fit API, the
// resources list, metrics and a health check. It only reads: nothing it
// serves takes, releases or changes anything. Create one with New and
// Close it when done; it is safe for concurrent use.
type Handler struct {
	l      *core.Lockable
	cfg    config
	follow *follower
	mux    *http.ServeMux
	cancel context.CancelFunc

	streams atomic.Int64 // event streams open

	mu       sync.Mutex
	isClosed bool
	closed   chan struct{}  // closed by Close
	wg       sync.WaitGroup // the follower and the event streams
}

// New returns a handler for the lab of l, whose resources list is src
// (the source l was made with: the handler passes its text on at
// /resources.json). It starts following the lab at once, in the
// background: Close stops that. New panics when l or src is nil.
func New(l *core.Lockable, src core.Source, opts ...Option) *Handler {
	if l == nil || src == nil {
		panic("serve.New: a Lockable and its resources source are needed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Handler{l: l, cfg: newConfig(opts), cancel: cancel, closed: make(chan struct{})}
	h.follow = newFollower(l, src, h.cfg)
	h.mux = h.routes()
	h.wg.Go(func() { h.follow.run(ctx) })
	return h
}

func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page)
	mux.HandleFunc("GET /static/{file}", h.asset)
	mux.HandleFunc("GET /events", h.events)
	mux.HandleFunc("GET /api/status", h.status)
	mux.HandleFunc("GET /api/fit", h.fit)
	mux.HandleFunc("GET /resources.json", h.resources)
	mux.HandleFunc("GET /metrics", h.metrics)
	mux.HandleFunc("GET /healthz", h.healthz)
	return mux
}

// ServeHTTP serves the request. Paths are relative to where the handler
// is mounted: mounted with http.StripPrefix("/lab", h), the page is
// /lab/ (and /lab redirects there).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Content-Security-Policy", contentPolicy)
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if r.URL.Path == "" { // mounted under a prefix, asked without the slash
		withSlash(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// withSlash redirects a request for the prefix a handler is mounted at
// to the prefix with a slash, where the page's relative links work.
func withSlash(w http.ResponseWriter, r *http.Request) {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		http.NotFound(w, r)
		return
	}
	u.Path, u.RawPath = u.Path+"/", ""
	http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
}

// contentPolicy lets the page load nothing but its own script and style
// and talk to nothing but this server.
const contentPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Close stops following the lab and ends the event streams, and waits
// for both. The other endpoints keep answering with the lab as last
// read. Close the handler before the Lockable.
func (h *Handler) Close() error {
	h.mu.Lock()
	if !h.isClosed {
		h.isClosed = true
		close(h.closed)
		h.cancel()
	}
	h.mu.Unlock()
	h.wg.Wait()
	return nil
}

// enter counts a new event stream in, unless the handler is closed or
// has as many as it takes.
func (h *Handler) enter() (ok bool, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.isClosed {
		return false, "the server is shutting down"
	}
	if h.streams.Add(1) > int64(h.cfg.maxStreams) {
		h.streams.Add(-1)
		return false, "too many live pages are open; try again later"
	}
	h.wg.Add(1)
	return true, ""
}

func (h *Handler) leave() {
	h.streams.Add(-1)
	h.wg.Done()
}

// writeJSON answers v as JSON with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, code, body)
}

// writeBody answers a JSON body with the status code.
func writeBody(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte("\n"))
}

// problem is the body of an error answer.
type problem struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, problem{Error: err.Error()})
}
