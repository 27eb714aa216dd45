package serve

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update makes TestScreenshot write the screenshots the README shows:
//
//	go test ./serve -run '^TestScreenshot$' -update
var update = flag.Bool("update", false, "write doc/dashboard.png and doc/dashboard-phone.png")

// TestScreenshot takes the README's pictures of the page: the bundled
// example lab, one phone held by another process and a job waiting for
// it, one in maintenance, requirements typed in the box. Without -update it checks that they can be taken, and keeps
// them in the test's temp dir.
func TestScreenshot(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "examples", "resources.json"))
	require.NoError(t, err)
	lab := &testLab{path: examples, locks: t.TempDir(), host: "lab-runner-1"}
	_, srv := serveLab(t, lab, WithSourceName("examples/resources.json"))
	other := startHolder(t, lab, "id=pixel-7-01", "make hil")
	other.expect(t, "locked")
	startHolder(t, lab, "id=pixel-7-01", "nightly flash") // waits in the queue
	l, _ := lab.open(t)
	_, err = l.StartMaintenance(t.Context(), "galaxy-s23-01", "battery swollen, replacement ordered", 0)
	require.NoError(t, err)

	out := t.TempDir()
	if *update {
		out = filepath.Join("..", "doc")
	}
	for _, shot := range []struct {
		name          string
		width, height int
	}{
		{"dashboard.png", 1200, 820},
		{"dashboard-phone.png", 390, 844},
	} {
		b := newBrowser(t, shot.width, shot.height)
		b.open(t, srv.URL+"/")
		b.until(t, "pixel-7-01 held", rowHas("pixel-7-01", "state", "held")+` && document.querySelector('tr[data-id="pixel-7-01"] td.holder').textContent.includes("make hil")`)
		b.until(t, "the waiter", `document.querySelector('#queue-list li[data-owner="nightly flash"]') !== null`)
		b.until(t, "galaxy-s23-01 in maintenance", rowHas("galaxy-s23-01", "state", "maintenance"))
		b.typeRequirements(t, `{"os": "android", "ram_gb": {"$gte": 8}}`)
		b.until(t, "which fit", rowHas("pixel-7-02", "fits", "true"))
		ctx := b.ctx
		var shotPNG []byte
		func() {
			ctx, cancel := contextWithin(ctx)
			defer cancel()
			shotPNG, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}()
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(shotPNG))
		require.NoError(t, err)
		assert.Equal(t, shot.width, img.Bounds().Dx())
		assert.Less(t, len(shotPNG), 300<<10, "a screenshot of a few hundred KB at most")
		path := filepath.Join(out, shot.name)
		require.NoError(t, os.WriteFile(path, shotPNG, 0o644))
		t.Logf("wrote %s: %dx%d, %d KB", path, img.Bounds().Dx(), img.Bounds().Dy(), len(shotPNG)>>10)
	}
}
