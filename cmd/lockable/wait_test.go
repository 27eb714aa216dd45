package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heldStatuses returns n fitting resources, each held by pid 100+i.
func heldStatuses(t *testing.T, n int) []core.ResourceStatus {
	t.Helper()
	list, err := provider.Validate("test", []byte(`[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"},{"id":"e"}]`))
	require.NoError(t, err)
	out := make([]core.ResourceStatus, n)
	for i := range out {
		out[i] = core.ResourceStatus{Fit: core.Fit{Resource: list[i]}, State: core.Held, Holder: core.Holder{User: "alice", Hostname: "lab-1", PID: 100 + i, Owner: "make test"}}
	}
	return out
}

func TestWaitLineText(t *testing.T) {
	l := &waitLine{what: `{"os":"android"}`, limit: time.Minute}
	assert.Equal(t,
		`lockable: waiting for {"os":"android"} (1.5s of 1m0s): 2 fitting, held by a: alice@lab-1 pid 100 (make test), b: alice@lab-1 pid 101 (make test)`,
		l.text(heldStatuses(t, 2), 1500*time.Millisecond))
	assert.Equal(t,
		`lockable: waiting for {"os":"android"} (12s of 1m0s): 5 fitting, held by a: alice@lab-1 pid 100 (make test), b: alice@lab-1 pid 101 (make test), c: alice@lab-1 pid 102 (make test) and 2 more`,
		l.text(heldStatuses(t, 5), 12300*time.Millisecond))
	assert.Equal(t, `lockable: waiting for {"os":"android"} (0s of 1m0s)`, l.text(nil, 0))
}

func TestWaitLineNamesEachResourceOnce(t *testing.T) {
	var b bytes.Buffer
	l := &waitLine{w: &b, what: "{}", start: time.Now(), limit: time.Minute}
	sts := heldStatuses(t, 2)
	l.show(append(sts, sts...)) // two requirements that both resources fit
	assert.Contains(t, b.String(), ": 2 fitting, held by a: ")
	assert.Equal(t, 1, strings.Count(b.String(), "b: alice"))
}

func TestWaitLineOnATerminalIsRewrittenInPlace(t *testing.T) {
	var b bytes.Buffer
	l := &waitLine{w: &b, tty: true, width: 40, what: "{}", start: time.Now(), limit: time.Minute}
	l.show(heldStatuses(t, 1))
	l.show(heldStatuses(t, 1))
	lines := strings.Split(b.String(), "\r\033[K")
	require.Len(t, lines, 3)
	assert.Equal(t, "lockable: waiting for {} (0s of 1m0s): ", lines[1], "clipped to the width less one")
	assert.NotContains(t, b.String(), "\n")

	l.end(nil)
	assert.True(t, strings.HasSuffix(b.String(), "\r\033[K"), "the line is cleared for what follows")
}

func TestWaitLineInALogIsOneLineEach(t *testing.T) {
	var b bytes.Buffer
	l := &waitLine{w: &b, what: "{}", start: time.Now(), limit: time.Minute}
	l.show(nil)
	l.show(nil)
	assert.Equal(t, 2, strings.Count(b.String(), "\n"))
	assert.NotContains(t, b.String(), "\r")
}

// With -q, a run that waits says nothing until it fails (or gets its
// resource); without it, it says what it waits for.
func TestQuietSaysNothingWhileWaiting(t *testing.T) {
	list, locks := writeList(t, lab(1)...), t.TempDir()
	holder, err := core.New(t.Context(), provider.File(list), core.WithHostname("lab-1"), core.WithLockFolder(locks))
	require.NoError(t, err)
	a, err := holder.Lock(t.Context(), query.MustParse(""))
	require.NoError(t, err)
	defer a.Unlock()

	args := []string{"--resources", list, "--lock-folder", locks, "--hostname", "lab-1", "--timeout", "0.2", "true"}
	code, stdout, stderr := runCLI(t, nil, append([]string{"-q"}, args...)...)
	assert.Equal(t, exitTimeout, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, `^lockable: timed out after [0-9.]+m?s waiting for .*\n$`, stderr, "one line: the failure")
	assert.NotContains(t, stderr, "lockable: waiting for", "no waiting line")

	code, _, stderr = runCLI(t, nil, args...)
	assert.Equal(t, exitTimeout, code)
	assert.Contains(t, stderr, "lockable: waiting for {", "the waiting line, without -q")
}

func TestWanted(t *testing.T) {
	lk := lockableFor(t, lab(1))
	one := query.MustParse("os=android")
	assert.Equal(t, `{"os":"android","hostname":"lab-1","online":true}`, wanted(lk, []*query.Query{one}))
	assert.Equal(t, `2 resources fitting {"os":"android","hostname":"lab-1","online":true}`, wanted(lk, []*query.Query{one, one}))
	assert.Equal(t, `2 resources fitting [{"os":"android","hostname":"lab-1","online":true}, {"hostname":"lab-1","online":true}]`,
		wanted(lk, []*query.Query{one, query.MustParse("")}))
}

func TestClip(t *testing.T) {
	assert.Equal(t, "héll", clip("héllo", 4))
	assert.Equal(t, "héllo", clip("héllo", 5))
	assert.Equal(t, "héllo", clip("héllo", 0))
}

func TestRoundWait(t *testing.T) {
	assert.Equal(t, 1200*time.Millisecond, roundWait(1234*time.Millisecond))
	assert.Equal(t, 12*time.Second, roundWait(12345*time.Millisecond))
}

// --timeout bounds the whole run, loading the list included: a resources
// server that never answers (the HTTP source alone would try for a
// minute) ends the run by the deadline, as a load failure.
func TestTimeoutBoundsLoadingTheList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	done := make(chan struct{})
	var code int
	var stderr string
	go func() {
		defer close(done)
		code, _, stderr = runCLI(t, nil, "--resources", srv.URL+"/lab.json", "--lock-folder", t.TempDir(), "--timeout", "0.5", "true")
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the run went on long past its --timeout")
	}
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "lockable: load resources: ")
	assert.Contains(t, stderr, "context deadline exceeded")
}
