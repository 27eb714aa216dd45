package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/query"
)

// labList returns a list of n resources shaped like a real lab's.
func labList(n int) string {
	var b strings.Builder
	b.WriteString("[\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `  {"id": "phone-%05d", "hostname": "lab-runner-%d", "online": %t, "type": "phone", `+
			`"os": "android", "os_version": %d, "serial": "28031FDH%06d", "ram_gb": %d, `+
			`"tags": ["usb", "5g", "nfc"], "network": {"ip": "10.%d.%d.%d", "wifi": "lab-5ghz"}}`,
			i, i%8, i%10 != 0, 12+i%3, i, 4<<(i%3), i/65536%256, i/256%256, i%256)
	}
	b.WriteString("\n]\n")
	return b.String()
}

// benchFile writes a 10,000-resource list and returns its path.
func benchFile(b *testing.B, mtime time.Time) (string, int) {
	b.Helper()
	text := labList(10_000)
	path := filepath.Join(b.TempDir(), "resources.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		b.Fatal(err)
	}
	return path, len(text)
}

func BenchmarkValidate10k(b *testing.B) {
	data := []byte(labList(10_000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Validate("bench.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileLoad10k reads and validates the file, as the first call of
// a new source does.
func BenchmarkFileLoad10k(b *testing.B) {
	path, size := benchFile(b, time.Now().Add(-time.Hour))
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := File(path).Resources(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileUnchanged10k reloads a file that did not change: one stat.
func BenchmarkFileUnchanged10k(b *testing.B) {
	path, _ := benchFile(b, time.Now().Add(-time.Hour))
	benchReload(b, File(path))
}

// BenchmarkFileUnchangedRecent10k reloads a file modified within the racy
// window: it is read twice and compared, but not parsed.
func BenchmarkFileUnchangedRecent10k(b *testing.B) {
	path, _ := benchFile(b, time.Now().Add(time.Hour))
	benchReload(b, File(path))
}

// BenchmarkHTTPNotModified10k is a conditional GET answered 304 on
// loopback.
func BenchmarkHTTPNotModified10k(b *testing.B) {
	text := labList(10_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, text)
	}))
	b.Cleanup(srv.Close)
	src := HTTP(srv.URL)
	if _, err := src.Resources(b.Context()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := src.Resources(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchReload measures loads of src after a first one.
func benchReload(b *testing.B, src Source) {
	if _, err := src.Resources(b.Context()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := src.Resources(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchLoaded10k matches a typical requirement against every
// resource of a 10,000-resource list, as core does, read from compact
// text and from the same list pretty-printed: the resources match equally
// fast, since validation drops the white space.
func BenchmarkMatchLoaded10k(b *testing.B) {
	var compactText bytes.Buffer
	if err := json.Compact(&compactText, []byte(labList(10_000))); err != nil {
		b.Fatal(err)
	}
	var prettyText bytes.Buffer
	if err := json.Indent(&prettyText, compactText.Bytes(), "", "    "); err != nil {
		b.Fatal(err)
	}
	q := query.MustParse(`{"os": "android", "ram_gb": {"$gte": 8}, "tags": "nfc", "hostname": "lab-runner-3", "online": true}`)
	for name, text := range map[string][]byte{"compact": compactText.Bytes(), "pretty": prettyText.Bytes()} {
		b.Run(name, func(b *testing.B) {
			res, err := Validate("bench.json", text)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range res {
					q.Match(r.JSON())
				}
			}
		})
	}
}
