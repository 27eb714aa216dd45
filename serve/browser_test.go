package serve

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The browser tests drive a real headless Chromium with chromedp, which
// speaks the DevTools protocol to the browser binary directly: no
// WebDriver server to install and keep in step with the browser, and few
// dependencies (cdproto, a JSON library).

// envChromium names a Chromium or Chrome binary for the browser tests.
const envChromium = "LOCKABLE_CHROMIUM"

// chromium finds the browser: $LOCKABLE_CHROMIUM, else Debian's chromium
// or another Chromium or Chrome on PATH, else macOS's Chrome.
func chromium() (string, bool) {
	if p := os.Getenv(envChromium); p != "" {
		return p, true
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	const mac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
	if _, err := os.Stat(mac); err == nil {
		return mac, true
	}
	return "", false
}

// browser is one headless Chromium and its tab.
type browser struct {
	ctx    context.Context // the tab's
	errors *logBuffer
}

// newBrowser starts a headless Chromium for the test, with a profile of
// its own, and stops it (the process included) when the test ends. The
// test skips when there is no Chromium.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	path, ok := chromium()
	if !ok {
		t.Skipf("no Chromium binary: install Debian's chromium (apt-get install chromium; .ci/run does) or set %s", envChromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	errs := &logBuffer{}
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(errs.printf), chromedp.WithLogf(func(string, ...any) {}))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // kills the browser and waits for it
		if t.Failed() {
			t.Logf("chromedp errors:\n%s", errs)
		}
	})
	// The first actions start the browser and open the tab, which then
	// live as long as the context they ran with: the tab's own, bounded
	// here by a timer that stops the browser if it does not start.
	stuck := time.AfterFunc(seeWithin, cancelTab)
	err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height)))
	require.True(t, stuck.Stop(), "the browser did not start within %s", seeWithin)
	require.NoError(t, err, "start %s", path)
	return &browser{ctx: ctx, errors: errs}
}

// contextWithin bounds an action on a tab to seeWithin.
func contextWithin(tab context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(tab, seeWithin)
}

// do runs actions in the tab within seeWithin.
func (b *browser) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := contextWithin(b.ctx)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, actions...), "%s", what)
}

// eval evaluates a JavaScript expression in the page within seeWithin.
func eval[T any](t *testing.T, b *browser, expression string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, seeWithin)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	require.NoError(t, err, "evaluate %s", expression)
	return v
}

// until waits, within seeWithin, for a JavaScript predicate to hold in the
// page, checking it at every change of the page.
func (b *browser) until(t *testing.T, what, predicate string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, seeWithin)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(seeWithin)))
	require.NoError(t, err, "the page did not show %s within %s", what, seeWithin)
}

// open loads the page and waits until it shows the lab; it returns the
// time from the start of the navigation to the lab shown, as the page
// measured it.
func (b *browser) open(t *testing.T, url string) time.Duration {
	t.Helper()
	b.do(t, "load the page", chromedp.Navigate(url))
	b.until(t, "the lab", `document.body.dataset.ready === "1"`)
	ms := eval[float64](t, b, `performance.getEntriesByName("lab-ready")[0].startTime`)
	return time.Duration(ms * float64(time.Millisecond))
}

// typeRequirements types text into the requirement box, as a person
// would, after emptying it.
func (b *browser) typeRequirements(t *testing.T, text string) {
	t.Helper()
	eval[string](t, b, `document.getElementById("requirements").value = ""`)
	b.do(t, "type "+text, chromedp.SendKeys(chromedp.ID("requirements"), text))
}

// rowHas is the predicate that the row of resource id has the attribute
// values given (name, value pairs).
func rowHas(id string, attrs ...string) string {
	sel := fmt.Sprintf(`tr[data-id=%q]`, id)
	for i := 0; i+1 < len(attrs); i += 2 {
		sel += fmt.Sprintf(`[data-%s=%q]`, attrs[i], attrs[i+1])
	}
	return fmt.Sprintf("document.querySelector(%q) !== null", sel)
}

// cellText is the text of a cell of resource id's row.
func cellText(t *testing.T, b *browser, id, cell string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`document.querySelector('tr[data-id=%q] td.%s').textContent`, id, cell))
}

// requestLog counts the requests a server gets, by path.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.paths {
		if p == path {
			n++
		}
	}
	return n
}

func TestPageFollowsLocksByAnotherProcess(t *testing.T) {
	lab := newTestLab(t, phones(3)...)
	h, _ := serveLab(t, lab)
	requests := &requestLog{}
	srv := httptest.NewServer(requests.wrap(h))
	t.Cleanup(srv.Close)
	b := newBrowser(t, 1280, 900)

	var loads, parsed []time.Duration
	for range 3 {
		loads = append(loads, b.open(t, srv.URL+"/"))
		ms := eval[float64](t, b, `performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd`)
		parsed = append(parsed, time.Duration(ms*float64(time.Millisecond)))
	}
	t.Logf("page load (navigation start to the lab shown): %v, median %v (of which to DOMContentLoaded: median %v)", loads, median(loads), median(parsed))
	assert.Equal(t, "free", cellText(t, b, "phone-0", "state"))
	eval[bool](t, b, `window.notReloaded = true`)

	var shown, freed []time.Duration
	for round := range 5 {
		other := startHolder(t, lab, "id=phone-0", "make hil")
		other.expect(t, "locked")
		b.until(t, "phone-0 held", rowHas("phone-0", "state", "held")+
			fmt.Sprintf(` && document.querySelector('tr[data-id="phone-0"] td.holder').textContent.includes("pid %d (make hil)")`, other.pid()))
		// From the holder's start (its lock file's "since", before it
		// took the lock) to the page's change of the row.
		lag := eval[float64](t, b, `Number(document.querySelector('tr[data-id="phone-0"]').dataset.changedAt) - Date.parse(lockableLab.byId.get("phone-0").holder.since)`)
		shown = append(shown, time.Duration(lag*float64(time.Millisecond)))

		_, err := fmt.Fprintln(other.stdin, "release")
		require.NoError(t, err)
		releasedMs := other.expectTime(t, "released")
		b.until(t, "phone-0 free again", rowHas("phone-0", "state", "free"))
		lag = eval[float64](t, b, `Number(document.querySelector('tr[data-id="phone-0"]').dataset.changedAt)`) - float64(releasedMs)
		freed = append(freed, time.Duration(lag*float64(time.Millisecond)))
		assert.Equal(t, "free", cellText(t, b, "phone-1", "state"), "round %d: the others stay free", round)
	}
	t.Logf("lock to page showing it held: %v, median %v", shown, median(shown))
	t.Logf("release (after Unlock returned) to page showing it free: %v, median %v", freed, median(freed))

	assert.True(t, eval[bool](t, b, `window.notReloaded === true`), "the page followed without a reload")
	assert.Equal(t, 3, requests.count("/events"), "one event stream per page load, never reopened")
	assert.Zero(t, requests.count("/api/status"), "the page does not poll")
	assert.GreaterOrEqual(t, eval[int](t, b, `lockableLab.events`), 1+2*5, "the lab, then every change, came as events")
}

func TestRequirementBoxShowsWhatFitsAndWhyNot(t *testing.T) {
	lab := newTestLab(t,
		map[string]any{"id": "pixel-1", "hostname": testHost, "online": true, "os": "android", "ram_gb": 8},
		map[string]any{"id": "iphone-1", "hostname": testHost, "online": true, "os": "ios", "ram_gb": 6},
		map[string]any{"id": "pixel-2", "hostname": testHost, "online": false, "os": "android", "ram_gb": 8},
	)
	_, srv := serveLab(t, lab)
	b := newBrowser(t, 1280, 900)
	b.open(t, srv.URL+"/")

	b.typeRequirements(t, `{"os": "android", "ram_gb": {"$gte": 8}}`)
	b.until(t, "which fit", rowHas("pixel-1", "fits", "true")+" && "+rowHas("iphone-1", "fits", "false"))
	assert.Equal(t, "fits", cellText(t, b, "pixel-1", "fitcol"))
	assert.Equal(t, `os: want "android", have "ios"; ram_gb: want {"$gte":8}, have 6`, cellText(t, b, "iphone-1", "fitcol"),
		"the explanation lockable status --explain gives")
	assert.Equal(t, "online: want true, have false", cellText(t, b, "pixel-2", "fitcol"))
	summary := eval[string](t, b, `document.getElementById("fit-summary").textContent`)
	assert.Equal(t, "1 of 3 fit, 1 free now: pixel-1", summary)

	// Requirements that do not parse: the parser's message, as /api/fit says it.
	b.typeRequirements(t, "os")
	b.until(t, "the error", `document.getElementById("fit-summary").classList.contains("invalid")`)
	_, body := get(t, srv.URL+"/api/fit?requirements=os")
	var p problem
	decode(t, body, &p)
	assert.Equal(t, p.Error, eval[string](t, b, `document.getElementById("fit-summary").textContent`))
	assert.False(t, eval[bool](t, b, `document.getElementById("lab").classList.contains("fitting")`), "no fit column without valid requirements")

	// The short form, and back to no requirements.
	b.typeRequirements(t, "os=ios")
	b.until(t, "the iPhone fits", rowHas("iphone-1", "fits", "true")+" && "+rowHas("pixel-1", "fits", "false"))
	b.typeRequirements(t, " ")
	b.until(t, "no fit column", `!document.getElementById("lab").classList.contains("fitting")`)
}

// On a phone's screen the page is one column of cards: nothing is wider
// than the screen.
func TestPageFitsAPhone(t *testing.T) {
	lab := newTestLab(t, phones(3)...)
	_, srv := serveLab(t, lab)
	b := newBrowser(t, 390, 844)
	b.open(t, srv.URL+"/")
	other := startHolder(t, lab, "id=phone-1", "a long owner label: go test -run TestFlashTheWholeFleet ./hil/...")
	other.expect(t, "locked")
	b.until(t, "phone-1 held", rowHas("phone-1", "state", "held"))
	assert.LessOrEqual(t, eval[int](t, b, `document.documentElement.scrollWidth`), eval[int](t, b, `window.innerWidth`),
		"no sideways scrolling")
	assert.Equal(t, "none", eval[string](t, b, `getComputedStyle(document.querySelector("thead")).display`), "cards, not a table")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// logBuffer collects chromedp's error lines, shown when a test fails.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// The page shows a resource in maintenance, with who put it there and
// why, and the waiters in the queue, in the order they are served; both
// follow the lab without a reload.
func TestPageShowsMaintenanceAndTheQueue(t *testing.T) {
	lab := newTestLab(t, phones(2)...)
	_, srv := serveLab(t, lab)
	b := newBrowser(t, 1280, 900)
	b.open(t, srv.URL+"/")
	eval[bool](t, b, `window.notReloaded = true`)

	other := startHolder(t, lab, "id=phone-0", "make hil")
	other.expect(t, "locked")
	waiter := startHolder(t, lab, "id=phone-0", "nightly flash")
	b.until(t, "the waiter in the queue", `[...document.querySelectorAll("#queue-list li")].some((li) => li.dataset.owner === "nightly flash" && li.textContent.includes("pid `+fmt.Sprint(waiter.pid())+` (nightly flash)") && li.textContent.includes('for {"id":"phone-0"'))`)
	assert.True(t, eval[bool](t, b, `!document.getElementById("queue").hidden`))

	l, _ := lab.open(t)
	_, err := l.StartMaintenance(t.Context(), "phone-1", "flashing firmware", 0)
	require.NoError(t, err)
	b.until(t, "phone-1 in maintenance", rowHas("phone-1", "state", "maintenance")+
		` && document.querySelector('tr[data-id="phone-1"] td.holder').textContent.includes("in maintenance since ")`+
		` && document.querySelector('tr[data-id="phone-1"] td.holder').textContent.includes(": flashing firmware")`)
	_, err = l.EndMaintenance(t.Context(), "phone-1")
	require.NoError(t, err)
	b.until(t, "phone-1 back", rowHas("phone-1", "state", "free"))

	_, err = fmt.Fprintln(other.stdin, "release")
	require.NoError(t, err)
	waiter.expect(t, "waiting") // it said so when it began to
	waiter.expect(t, "locked")
	b.until(t, "the queue empty again", `document.getElementById("queue").hidden`)
	assert.True(t, eval[bool](t, b, `window.notReloaded === true`), "the page followed without a reload")
}
