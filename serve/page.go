package serve

import (
	"embed"
	"net/http"
)

// The page is plain HTML, CSS and JavaScript, built into the binary: no
// build step, and nothing fetched from elsewhere, so that it works on a
// lab network without internet.
//
//go:embed static
var staticFS embed.FS

// assets are the files the page loads from /static/.
var assets = map[string]bool{"app.js": true, "style.css": true}

// page answers / with the live page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, staticFS, "static/index.html")
}

// asset answers /static/{file} with one of the page's files.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if !assets[name] {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, staticFS, "static/"+name)
}
