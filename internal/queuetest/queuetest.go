// Package queuetest runs the queue's scenarios with real processes on
// any lock backend: the core tests run them on the lock folder, the etcd
// tests on a real etcd server. Each scenario starts waiters (the test
// binary in the waiter role, which calls Waiter), makes them arrive in a
// known order, releases resources, and checks the order in which the
// waiters were served, from a log each appends to once it holds what it
// asked for. While a waiter holds a resource it owns a marker file per
// resource, created exclusively, so that two holders of one resource fail
// the scenario.
//
// Nothing waits by sleeping: a waiter has arrived when the lab's status
// shows its ticket, which the scenario learns from Lockable.Changes.
package queuetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/require"
)

// Bound bounds every wait of a scenario.
const Bound = 60 * time.Second

// The waiter's settings, in its environment.
const (
	envName     = "QUEUETEST_NAME"
	envReqs     = "QUEUETEST_REQUIREMENTS" // a JSON array of requirements
	envPriority = "QUEUETEST_PRIORITY"
	envHold     = "QUEUETEST_HOLD" // "until-told": hold until stdin says release
	envLog      = "QUEUETEST_LOG"
	envMarkers  = "QUEUETEST_MARKERS"
	envTimeout  = "QUEUETEST_TIMEOUT"
)

// Backend is how a scenario reaches the lab on one backend.
type Backend struct {
	// Open returns a Lockable of this process on the lab whose resources
	// file is resources. The scenario closes it.
	Open func(t testing.TB, resources string) *core.Lockable
	// Command returns the test binary, unstarted, set to run Waiter with
	// a Lockable like Open's; the scenario adds the waiter's settings to
	// its environment.
	Command func(t testing.TB, resources string) *exec.Cmd
	// DeadWaiterBound is how long a killed waiter's ticket may stay in
	// the queue: 0 on the lock folder, the lease on etcd.
	DeadWaiterBound time.Duration
	// Left, when set, checks after each scenario that the backend keeps
	// nothing of the waiters (no ticket file, no key).
	Left func(t testing.TB, resources string)
}

// Waiter is the waiter role: it waits for its requirements, notes in
// the log that it holds them, and releases them at once or when its
// stdin says "release". It prints "got <ids>", then "released"; or
// "error <message>".
func Waiter(l *core.Lockable) error {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(os.Getenv(envReqs)), &raw); err != nil {
		return fmt.Errorf("%s: %w", envReqs, err)
	}
	qs := make([]*query.Query, len(raw))
	for i, r := range raw {
		q, err := query.Parse(string(r))
		if err != nil {
			return err
		}
		qs[i] = q
	}
	priority, _ := strconv.Atoi(os.Getenv(envPriority))
	timeout := Bound
	if v := os.Getenv(envTimeout); v != "" {
		var err error
		if timeout, err = time.ParseDuration(v); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	name := os.Getenv(envName)
	as, err := l.LockMany(ctx, qs, core.WithPriority(priority), core.WithOwner(name))
	if err != nil {
		fmt.Println("error", strings.ReplaceAll(err.Error(), "\n", " "))
		return nil
	}
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ResourceID())
	}
	if err := mark(ids, true); err != nil {
		return err
	}
	if err := appendLine(os.Getenv(envLog), name+" "+strings.Join(ids, ",")); err != nil {
		return err
	}
	fmt.Println("got", strings.Join(ids, ","))
	if os.Getenv(envHold) == "until-told" {
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	if err := mark(ids, false); err != nil {
		return err
	}
	var errs []error
	for _, a := range as {
		errs = append(errs, a.Unlock())
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Println("released")
	return nil
}

// mark creates (or removes) the marker of each resource; a marker that
// exists already means the resource has another holder.
func mark(ids []string, create bool) error {
	for _, id := range ids {
		path := filepath.Join(os.Getenv(envMarkers), id)
		if !create {
			if err := os.Remove(path); err != nil {
				return err
			}
			continue
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("VIOLATION: %s has two holders: %w", id, err)
		}
		f.Close()
	}
	return nil
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	return errors.Join(err, f.Close())
}

// scene is one scenario's lab: its resources, the Lockable of the test,
// and the waiters started.
type scene struct {
	t       *testing.T
	b       Backend
	dir     string
	res     string
	l       *core.Lockable
	changes <-chan struct{}
}

// newScene writes the resources file and opens the test's Lockable.
func newScene(t *testing.T, b Backend, resources ...map[string]any) *scene {
	t.Helper()
	dir := t.TempDir()
	data, err := json.Marshal(resources)
	require.NoError(t, err)
	res := filepath.Join(dir, "resources.json")
	require.NoError(t, os.WriteFile(res, data, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "markers"), 0o755))
	s := &scene{t: t, b: b, dir: dir, res: res, l: b.Open(t, res)}
	t.Cleanup(func() {
		s.l.Close()
		if b.Left != nil && !t.Failed() {
			b.Left(t, res)
		}
	})
	s.changes = s.l.Changes(t.Context())
	return s
}

// waiter is a waiter process.
type waiter struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	spoke chan struct{} // closed at its first line
	done  chan error
}

// wait describes a waiter to start.
type wait struct {
	name      string
	reqs      []string
	priority  int
	untilTold bool
	timeout   time.Duration
}

// start starts a waiter and returns once the queue shows it (its ticket),
// so that waiters started one after the other arrive in that order. A
// waiter that gets its resources at once is not in the queue: then start
// returns once it says so.
func (s *scene) start(w wait) *waiter {
	s.t.Helper()
	before := s.queued()
	p := s.spawn(w)
	deadline := time.After(Bound)
	for {
		if q := s.queued(); len(q) > len(before) && slices.ContainsFunc(q, func(v core.Waiter) bool { return v.Owner == w.name }) {
			return p
		}
		select {
		case <-s.changes:
		case <-p.spoke:
			return p
		case <-deadline:
			s.t.Fatalf("waiter %s did not queue within %s", w.name, Bound)
		}
	}
}

func (s *scene) spawn(w wait) *waiter {
	s.t.Helper()
	reqs, err := json.Marshal(rawAll(w.reqs))
	require.NoError(s.t, err)
	cmd := s.b.Command(s.t, s.res)
	cmd.Env = append(cmd.Env, envName+"="+w.name, envReqs+"="+string(reqs), envPriority+"="+strconv.Itoa(w.priority),
		envLog+"="+filepath.Join(s.dir, "log"), envMarkers+"="+filepath.Join(s.dir, "markers"))
	if w.untilTold {
		cmd.Env = append(cmd.Env, envHold+"=until-told")
	}
	if w.timeout > 0 {
		cmd.Env = append(cmd.Env, envTimeout+"="+w.timeout.String())
	}
	stdin, err := cmd.StdinPipe()
	require.NoError(s.t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(s.t, err)
	cmd.Stderr = &logWriter{t: s.t, prefix: w.name}
	require.NoError(s.t, cmd.Start())
	p := &waiter{name: w.name, cmd: cmd, stdin: stdin, lines: make(chan string, 16), spoke: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for first := true; sc.Scan(); first = false {
			p.lines <- sc.Text()
			if first {
				close(p.spoke)
			}
		}
		p.done <- cmd.Wait()
	}()
	s.t.Cleanup(func() { p.stop(s.t) })
	return p
}

func rawAll(reqs []string) []json.RawMessage {
	out := make([]json.RawMessage, len(reqs))
	for i, r := range reqs {
		q := query.MustParse(r) // short forms too
		out[i] = json.RawMessage(q.String())
	}
	return out
}

// queued returns the queue as the lab's status shows it.
func (s *scene) queued() []core.Waiter {
	s.t.Helper()
	st, err := s.l.Status(s.t.Context(), nil)
	require.NoError(s.t, err)
	return st.Queue
}

// untilQueue waits until the queue holds exactly the named waiters, in
// that order.
func (s *scene) untilQueue(bound time.Duration, names ...string) {
	s.t.Helper()
	deadline := time.After(bound + Bound)
	for {
		var got []string
		for _, w := range s.queued() {
			got = append(got, w.Owner)
		}
		if slices.Equal(got, names) {
			return
		}
		select {
		case <-s.changes:
		case <-deadline:
			s.t.Fatalf("the queue is %q, not %q, after %s", got, names, bound+Bound)
		}
	}
}

// expect returns the waiter's next line, which must start with prefix.
func (p *waiter) expect(t testing.TB, prefix string) string {
	t.Helper()
	said := func(line string) string {
		require.True(t, strings.HasPrefix(line, prefix), "%s: want %q, got %q", p.name, prefix, line)
		return strings.TrimSpace(strings.TrimPrefix(line, prefix))
	}
	select {
	case line := <-p.lines:
		return said(line)
	case err := <-p.done:
		p.done <- err
		select {
		case line := <-p.lines: // said before it ended
			return said(line)
		default:
		}
		t.Fatalf("%s ended (%v) before saying %q", p.name, err, prefix)
	case <-time.After(Bound):
		t.Fatalf("%s did not say %q within %s", p.name, prefix, Bound)
	}
	return ""
}

// finish waits for the waiter to end, and requires that it succeeded.
func (p *waiter) finish(t testing.TB) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		require.NoError(t, err, "%s", p.name)
	case <-time.After(Bound):
		t.Fatalf("%s did not end within %s", p.name, Bound)
	}
}

func (p *waiter) release(t testing.TB) {
	t.Helper()
	_, err := io.WriteString(p.stdin, "release\n")
	require.NoError(t, err)
	p.expect(t, "released")
}

// stop kills the waiter by its pid if it still runs, and reaps it.
func (p *waiter) stop(t testing.TB) {
	p.cmd.Process.Kill() // an error only says it has ended already
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(Bound):
		t.Errorf("waiter %s (pid %d) did not end within %s", p.name, p.cmd.Process.Pid, Bound)
	}
}

// served returns the log: who was served, in order, and with what.
func (s *scene) served() []string {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "log"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(s.t, err)
	return strings.Fields(strings.ReplaceAll(string(data), "\n", " "))
}

// order returns the names in the log, in order.
func (s *scene) order() []string {
	f := s.served()
	var names []string
	for i := 0; i+1 < len(f); i += 2 {
		names = append(names, f[i])
	}
	return names
}

// hold takes every resource of the lab for the test, before the waiters
// come.
func (s *scene) hold(reqs ...string) []*core.Allocation {
	s.t.Helper()
	var out []*core.Allocation
	for _, r := range reqs {
		a, err := s.l.TryLock(s.t.Context(), query.MustParse(r))
		require.NoError(s.t, err)
		require.NotNil(s.t, a, "%s is free", r)
		out = append(out, a)
	}
	return out
}

type logWriter struct {
	t      testing.TB
	prefix string
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s: %s", w.prefix, strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
