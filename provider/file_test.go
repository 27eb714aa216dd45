package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileLoads(t *testing.T) {
	path := writeList(t, `[{"id": "a", "hostname": "h1", "online": true}, {"id": 2}]`)
	res, err := File(path).Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "2"}, ids(res))
	assert.Equal(t, "h1", res[0].Hostname())
}

func TestFileUnchangedReturnsSameSlice(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	age(t, path)
	src := File(path)
	assertReloadKeepsSlice(t, src)
}

func TestFileRecentlyWrittenUnchangedReturnsSameSlice(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`) // modified just now: compared by content
	src := File(path)
	assertReloadKeepsSlice(t, src)
}

func TestFileSameContentRewrittenReturnsSameSlice(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	src := File(path)
	first, err := src.Resources(t.Context())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "a"}]`), 0o644))
	setModTime(t, path, time.Now().Add(time.Hour))
	again, err := src.Resources(t.Context())
	require.NoError(t, err)
	assertSameSlice(t, first, again)
}

func TestFileSeesRewriteWithinTimestampGranularity(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	mtime := time.Now().Truncate(time.Second) // a file system with 1s timestamps
	setModTime(t, path, mtime)
	src := File(path)
	res, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, ids(res))

	// same size, same modification time: only the content tells
	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "b"}]`), 0o644))
	setModTime(t, path, mtime)
	res, err = src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, ids(res))
}

func TestFileSeesRename(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	mtime := time.Now().Add(-time.Hour)
	setModTime(t, path, mtime)
	src := File(path)
	_, err := src.Resources(t.Context())
	require.NoError(t, err)

	// replaced atomically by a file of the same size and time (cp -p, rsync -t)
	next := filepath.Join(filepath.Dir(path), "next.json")
	require.NoError(t, os.WriteFile(next, []byte(`[{"id": "b"}]`), 0o644))
	setModTime(t, next, mtime)
	require.NoError(t, os.Rename(next, path))
	res, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, ids(res))
}

func TestFileInvalidEditIsAnError(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	age(t, path)
	src := File(path)
	_, err := src.Resources(t.Context())
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "a"}, {"id": "a"}]`), 0o644))
	age(t, path)
	res, err := src.Resources(t.Context())
	assert.Nil(t, res)
	verr := requireValidationError(t, err)
	assert.Equal(t, path, verr.Source)
	again, err2 := src.Resources(t.Context())
	assert.Nil(t, again)
	assert.Same(t, err, err2, "an unchanged invalid file gives the same error")

	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "c"}]`), 0o644))
	res, err = src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"c"}, ids(res))
}

func TestFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	_, err := File(path).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), path)
}

func TestFileRemovedAfterLoad(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	src := File(path)
	_, err := src.Resources(t.Context())
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	_, err = src.Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
}

func TestFileDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := File(dir).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "not a regular file")
}

func TestFileRelativePathIsFixedAtConstruction(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "res.json"), []byte(`[{"id": "a"}]`), 0o644))
	t.Chdir(dir)
	src := File("res.json")
	t.Chdir(t.TempDir())
	assert.Equal(t, filepath.Join(dir, "res.json"), src.Path())
	res, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, ids(res))
}

func TestFileHonoursContextWhileWaiting(t *testing.T) {
	src := File(writeList(t, `[]`))
	require.NoError(t, src.gate.lock(t.Context())) // another caller is reading
	defer src.gate.unlock()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := src.Resources(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestFileConcurrentCallers(t *testing.T) {
	path := writeList(t, `[{"id": "a"}]`)
	age(t, path)
	src := File(path)
	want, err := src.Resources(t.Context())
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := src.Resources(t.Context())
				if assert.NoError(t, err) {
					assertSameSlice(t, want, got)
				}
			}
		})
	}
	wg.Wait()
}

// TestFileConcurrentRewrite rewrites the file in place, in pieces, while
// reading it: every list read must be one of the two written, never a mix
// or a part. Both lists have the same length and shape, so a torn read
// would still be valid JSON and would show as a mix of ids. Each read
// starts as one rewrite starts, so reads race writes and also find the
// file at rest.
func TestFileConcurrentRewrite(t *testing.T) {
	lists := []string{numberedList("a", 200), numberedList("b", 200)}
	require.Len(t, lists[1], len(lists[0]))
	path := writeList(t, lists[0])
	src := File(path)

	stop, tick, done := make(chan struct{}), make(chan struct{}, 1), make(chan string)
	go func() {
		last := lists[0]
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- last
				return
			case <-tick:
				last = lists[i%2]
				rewriteInPieces(t, path, last)
			}
		}
	}()

	loads, failures := 0, 0
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline) && loads+failures < 300; {
		select {
		case tick <- struct{}{}:
		default:
		}
		res, err := src.Resources(t.Context())
		if err != nil {
			// A read may give up while the file keeps changing; or find it
			// invalid, when the writer, descheduled on a loaded machine,
			// leaves it truncated for longer than the settle delay: it is
			// invalid at rest then. What must never be is a list accepted
			// that was never written (below).
			failures++
			if !errors.Is(err, ErrInvalid) {
				assert.ErrorIs(t, err, ErrUnavailable, "only 'kept changing' or an invalid file at rest may fail while the file is rewritten")
			}
			continue
		}
		loads++
		got := strings.Join(ids(res), ",")
		assert.True(t, got == idsOf(lists[0]) || got == idsOf(lists[1]), "read a list that was never written: %.80s", got)
	}
	close(stop)
	last := <-done
	t.Logf("%d lists read, %d reads gave up while the file changed", loads, failures)

	res, err := src.Resources(t.Context())
	require.NoError(t, err)
	assert.Equal(t, idsOf(last), strings.Join(ids(res), ","), "the last list written")
}

// rewriteInPieces rewrites path in place (truncate, then write in three
// pieces), as an editor without atomic save does.
func rewriteInPieces(t *testing.T, path, text string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if !assert.NoError(t, err) {
		return
	}
	defer func() { assert.NoError(t, f.Close()) }()
	third := len(text) / 3
	for _, piece := range []string{text[:third], text[third : 2*third], text[2*third:]} {
		if _, err := f.WriteString(piece); !assert.NoError(t, err) {
			return
		}
	}
}

// numberedList returns a list of n resources whose ids are prefix0001...
func numberedList(prefix string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id": "%s%04d", "online": true}`, prefix, i)
	}
	return "[\n" + strings.Join(items, ",\n") + "\n]\n"
}

// idsOf returns the ids of a valid list joined by commas.
func idsOf(text string) string {
	res, err := Validate("x", []byte(text))
	if err != nil {
		panic(err)
	}
	return strings.Join(ids(res), ",")
}

// writeList writes text to a new file in a temp dir and returns its path.
func writeList(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "resources.json")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// age sets a file's modification time an hour back, out of the window in
// which content is compared.
func age(t *testing.T, path string) {
	t.Helper()
	setModTime(t, path, time.Now().Add(-time.Hour))
}

// setModTime sets a file's access and modification times.
func setModTime(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	require.NoError(t, os.Chtimes(path, mtime, mtime))
}

// assertSameSlice asserts two slices share their backing array.
// loadTwice loads the list from src twice.
func loadTwice(t *testing.T, src Source) (first, again []Resource) {
	t.Helper()
	first, err := src.Resources(t.Context())
	require.NoError(t, err)
	again, err = src.Resources(t.Context())
	require.NoError(t, err)
	return first, again
}

// assertReloadKeepsSlice checks that a second load returns the very
// slice of the first.
func assertReloadKeepsSlice(t *testing.T, src Source) {
	t.Helper()
	first, again := loadTwice(t, src)
	assertSameSlice(t, first, again)
}

func assertSameSlice(t *testing.T, want, got []Resource) {
	t.Helper()
	if assert.Len(t, got, len(want)) && len(want) > 0 {
		assert.Same(t, &want[0], &got[0], "expected the very same slice")
	}
}

func TestFileMaxSizeAndLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "res.json")
	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "a"}, {"id": "b"}]`), 0o644))
	_, err := File(path, WithMaxSize(10)).Resources(t.Context())
	require.ErrorIs(t, err, ErrUnavailable)
	assert.Contains(t, err.Error(), "is 26 bytes, over the limit of 10 bytes; raise it with WithMaxSize")

	var logs bytes.Buffer
	src := File(path, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	_, err = src.Resources(t.Context())
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "resources list: loaded")
	assert.Contains(t, logs.String(), "resources=2")
	require.NoError(t, os.WriteFile(path, []byte(`[{"id": "a"}, {"id": "a"}]`), 0o644))
	_, err = src.Resources(t.Context())
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, logs.String(), "resources list: invalid")
}
