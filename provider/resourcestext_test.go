package provider

import (
	"context"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// textSource is what a server of the list needs from a source.
type textSource interface {
	ResourcesText(ctx context.Context) ([]Resource, string, error)
}

var (
	_ textSource = (*FileSource)(nil)
	_ textSource = (*HTTPSource)(nil)
	_ textSource = (*ListSource)(nil)
)

func TestFileResourcesTextIsTheFilesContent(t *testing.T) {
	pretty := "[\n  {\"id\": \"p1\",   \"os\": \"android\"}\n]\n"
	path := writeList(t, bom+pretty)
	src := File(path)
	res, text, err := src.ResourcesText(t.Context())
	require.NoError(t, err)
	assert.Equal(t, pretty, text, "the file's bytes, white space kept, without the byte order mark")
	assert.Equal(t, []string{"p1"}, ids(res))

	again, err := src.Resources(t.Context())
	require.NoError(t, err)
	assertSameSlice(t, res, again)

	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "p1"}, {"id": "p1"}]`), 0o644))
	res, text, err = src.ResourcesText(t.Context())
	require.ErrorIs(t, err, ErrInvalid)
	assert.Nil(t, res)
	assert.Empty(t, text, "an invalid list gives no text to serve")
}

func TestHTTPResourcesTextIsTheBodyAlsoAfterNotModified(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, twoPhones)
	})
	src := HTTP(srv.URL, fast()...)
	for range 2 {
		res, text, err := src.ResourcesText(t.Context())
		require.NoError(t, err)
		assert.Equal(t, twoPhones, text)
		assert.Len(t, res, 2)
	}
	assert.EqualValues(t, 2, hits.Load(), "the second answer was a 304")

	_, text, err := HTTP(srv.URL+"/%zz", fast()...).ResourcesText(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Empty(t, text)
}

func TestListResourcesTextIsItsEncoding(t *testing.T) {
	res, text, err := List([]map[string]any{{"id": "p1", "os": "android"}}).ResourcesText(t.Context())
	require.NoError(t, err)
	again, err := Validate("text", []byte(text))
	require.NoError(t, err)
	assert.Equal(t, res, again, "the text is the list")

	_, text, err = List([]map[string]any{{"os": "android"}}).ResourcesText(t.Context())
	require.ErrorIs(t, err, ErrInvalid)
	assert.Empty(t, text)
}
