package serve

import (
	"net/http"
	"strings"
)

// resources answers /resources.json: the resources list as the source
// has it (a file's bytes, the body an HTTP source got), with a strong
// ETag (a hash of the bytes) and a Last-Modified of when this server first
// saw them, so that another lockable can use this server as its HTTP
// source and download the list only when it changed. If-None-Match and
// If-Modified-Since are answered 304 when they hold. A list that cannot
// be read, or is invalid, is a 503 that says why: a client retries it and
// never takes a broken list.
func (h *Handler) resources(w http.ResponseWriter, r *http.Request) {
	doc := h.follow.ready(r.Context(), h.closed).list
	if doc.err != nil {
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, doc.err)
		return
	}
	w.Header().Set("ETag", doc.etag)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", doc.modified, strings.NewReader(doc.text))
}
