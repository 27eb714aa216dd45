package serve

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// events answers /events with a stream of server-sent events that follows
// the lab: a "status" event with the whole lab first (and whenever the
// resources are others), then an "update" event with the resources that
// changed since the event before, after each change. Their data is one JSON object:
//
//	{"version": 1, "time": "...", "source": "...", "error": "...", "status": {...}}
//
// where status is the lab as /api/status has it (only the resources that
// changed, in an update) and error says why the lab cannot be read (then
// there is no status). A comment every 15 s keeps proxies from closing an
// idle stream.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	if ok, why := h.enter(); !ok {
		w.Header().Set("Retry-After", "5")
		h.cfg.log.Warn("event stream refused", "reason", why)
		writeError(w, http.StatusServiceUnavailable, errors.New(why))
		return
	}
	defer h.leave()
	s := newStream(w, h.cfg.writeTimeout)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	if s.write([]byte("retry: 2000\n\n")) != nil {
		return
	}
	h.follow.ready(r.Context(), h.closed)
	h.stream(r, s)
}

// stream sends the lab, then its changes, until the client or the handler
// goes away or a write fails.
func (h *Handler) stream(r *http.Request, s *stream) {
	beat := time.NewTicker(h.cfg.heartbeat)
	defer beat.Stop()
	snap := h.follow.current()
	err := s.event("status", snap.seq, snap.event)
	for err == nil {
		select {
		case <-r.Context().Done():
			return
		case <-h.closed:
			return
		case <-snap.next:
			next := h.follow.current()
			if update := next.updateSince(snap, h.follow.source); update != nil {
				err = s.event("update", next.seq, update)
			} else {
				err = s.event("status", next.seq, next.event)
			}
			snap = next
		case <-beat.C:
			err = s.write([]byte(": keep-alive\n\n"))
		}
	}
}

// stream writes server-sent events, each within writeTimeout, whatever
// the server's own WriteTimeout, and takes the server's ReadTimeout off
// the connection: the request has been read, and the stream lasts.
type stream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func newStream(w http.ResponseWriter, timeout time.Duration) *stream {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // not every ResponseWriter can: then the server's stays
	return &stream{w: w, rc: rc, timeout: timeout}
}

func (s *stream) event(name string, id uint64, data []byte) error {
	head := fmt.Sprintf("id: %s\nevent: %s\ndata: ", strconv.FormatUint(id, 10), name)
	return s.write([]byte(head), data, []byte("\n\n"))
}

func (s *stream) write(parts ...[]byte) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	for _, p := range parts {
		if _, err := s.w.Write(p); err != nil {
			return err
		}
	}
	return s.rc.Flush()
}
