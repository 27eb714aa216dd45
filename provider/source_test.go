package provider

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpen(t *testing.T) {
	tests := []struct {
		source string
		http   bool
	}{
		{"http://lab/res.json", true},
		{"https://lab/res.json", true},
		{"HTTPS://lab/res.json", true},
		{"res.json", false},
		{"/etc/lab/res.json", false},
		{"httpfiles/res.json", false},
	}
	for _, tt := range tests {
		src := Open(tt.source)
		_, isHTTP := src.(*HTTPSource)
		_, isFile := src.(*FileSource)
		assert.Equal(t, tt.http, isHTTP, tt.source)
		assert.Equal(t, !tt.http, isFile, tt.source)
	}
}

// Every source keeps the Source contract: the validated list, and the
// very same slice again while nothing changed.
func TestSourcesGiveTheSameSliceWhileUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "res.json")
	require.NoError(t, os.WriteFile(path, []byte(twoPhones), 0o644))
	old := time.Now().Add(-time.Hour) // out of the window where a file is read again
	require.NoError(t, os.Chtimes(path, old, old))
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, twoPhones) })
	sources := map[string]Source{
		"file": File(path),
		"list": List([]map[string]any{{"id": "p1", "os": "android"}, {"id": "p2", "os": "ios"}}),
		"http": HTTP(srv.URL, fast()...),
	}
	for name, src := range sources {
		first, err := src.Resources(t.Context())
		require.NoError(t, err, name)
		require.Len(t, first, 2, name)
		assert.Equal(t, []string{"p1", "p2"}, []string{first[0].ID(), first[1].ID()}, name)
		again, err := src.Resources(t.Context())
		require.NoError(t, err, name)
		assert.Same(t, &first[0], &again[0], "%s: an unchanged list keeps its slice", name)
	}
}
