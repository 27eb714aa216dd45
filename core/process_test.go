package core

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The test binary doubles as the other processes of these tests: with
// childRole set in its environment, TestMain runs that role instead of
// the tests.
const (
	childRole      = "LOCKABLE_CORE_TEST_ROLE"
	childResources = "LOCKABLE_CORE_TEST_RESOURCES"
	childLocks     = "LOCKABLE_CORE_TEST_LOCKS"
	childMarkers   = "LOCKABLE_CORE_TEST_MARKERS"
	childRounds    = "LOCKABLE_CORE_TEST_ROUNDS"
	childTimeout   = "LOCKABLE_CORE_TEST_TIMEOUT"
	childReq       = "LOCKABLE_CORE_TEST_REQUIREMENTS" // the wait role's; any resource when empty
)

// childWait bounds every wait on a child process.
const childWait = 60 * time.Second

// The tests leave no goroutine behind: a Lockable's watchers stop when
// nobody waits, and Close waits for them.
func TestMain(m *testing.M) {
	if role := os.Getenv(childRole); role != "" {
		os.Exit(runChild(role))
	}
	goleak.VerifyTestMain(m)
}

func runChild(role string) int {
	roles := map[string]func() error{
		"hold":     childHold,
		"stress":   childStress,
		"unlinker": childUnlinker,
		"wait":     childWaitFor,
		"try":      childTry,
		"care":     childCare, // lab care's roles (care_process_test.go)
	}
	run, ok := roles[role]
	if !ok {
		run, ok = ChildRoles[role]
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown role", role)
		return 2
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return 1
	}
	return 0
}

func childLockable() (*Lockable, error) {
	return New(context.Background(), provider.File(os.Getenv(childResources)), WithHostname(testHost), WithLockFolder(os.Getenv(childLocks)))
}

// childHold takes a resource, says "locked <id>", and releases it when
// its stdin says anything or ends.
func childHold() error {
	l, err := childLockable()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), childWait)
	defer cancel()
	a, err := l.Lock(ctx, q(""), WithOwner("child"))
	if err != nil {
		return err
	}
	fmt.Println("locked", a.ResourceID())
	bufio.NewReader(os.Stdin).ReadString('\n')
	if err := a.Unlock(); err != nil {
		return err
	}
	fmt.Println("released")
	return nil
}

// childTry tries once to take a resource and prints "error <message>"
// or "got <id>".
func childTry() error {
	l, err := childLockable()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), -1)
	defer cancel()
	a, err := l.Lock(ctx, q(""))
	if err != nil {
		fmt.Println("error", err)
		return nil
	}
	fmt.Println("got", a.ResourceID())
	return a.Unlock()
}

// childWaitFor serves a parent line by line: on "wait" it waits for a
// resource (as long as its timeout says) and prints "got <unix ns>" or
// "error ..."; on "release" it releases it and prints "released".
func childWaitFor() error {
	l, err := childLockable()
	if err != nil {
		return err
	}
	timeout, err := time.ParseDuration(os.Getenv(childTimeout))
	if err != nil {
		return err
	}
	var a *Allocation
	for in := bufio.NewScanner(os.Stdin); in.Scan(); {
		switch in.Text() {
		case "wait":
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			a, err = l.Lock(ctx, q(os.Getenv(childReq)))
			cancel()
			if err != nil {
				fmt.Println("error", err)
				continue
			}
			fmt.Println("got", time.Now().UnixNano())
		case "release":
			if err := a.Unlock(); err != nil {
				return err
			}
			fmt.Println("released")
		}
	}
	return nil
}

// childStress takes and releases resources for some rounds; while it
// holds one, it owns that resource's marker file, created exclusively:
// a second holder could not create it.
func childStress() error {
	l, err := childLockable()
	if err != nil {
		return err
	}
	return stressRounds(func() (string, func() error, error) {
		ctx, cancel := context.WithTimeout(context.Background(), childWait)
		defer cancel()
		a, err := l.Lock(ctx, q(""))
		if err != nil {
			return "", nil, err
		}
		return a.ResourceID(), a.Unlock, nil
	})
}

func stressRounds(take func() (string, func() error, error)) error {
	rounds, err := strconv.Atoi(os.Getenv(childRounds))
	if err != nil {
		return err
	}
	for range rounds {
		id, release, err := take()
		if err != nil {
			return err
		}
		if err := useExclusively(id); err != nil {
			return errors.Join(err, release())
		}
		if err := release(); err != nil {
			return err
		}
	}
	return nil
}

func useExclusively(id string) error {
	marker := filepath.Join(os.Getenv(childMarkers), id)
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("VIOLATION: %s has two holders: %w", id, err)
	}
	f.Close()
	time.Sleep(time.Duration(rand.N(300)) * time.Microsecond) // the holder's work
	return os.Remove(marker)
}

// childUnlinker holds resources the way tools that delete their lock
// files do: lock (checking the locked file is still the one at the path),
// use, delete the file, unlock. Lockers that do not check which file they
// locked lose exclusivity against it.
func childUnlinker() error {
	dir := os.Getenv(childLocks)
	d, err := openFolder(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	ids := []string{"phone-0", "phone-1"}
	return stressRounds(func() (string, func() error, error) {
		for deadline := time.Now().Add(childWait); time.Now().Before(deadline); {
			id := ids[rand.N(len(ids))]
			path := filepath.Join(dir, id+lockSuffix)
			f, err := d.lockFile(path)
			if errors.Is(err, errGone) {
				continue
			}
			if err != nil {
				return "", nil, err
			}
			if f == nil {
				time.Sleep(100 * time.Microsecond) // busy: retry, as the Python lockable polls
				continue
			}
			if same, err := sameAsPath(f, path); err != nil || !same {
				f.Close()
				continue
			}
			return id, func() error { return errors.Join(os.Remove(path), f.Close()) }, nil
		}
		return "", nil, errors.New("unlinker: no resource within the wait")
	})
}

// process is a child process under test, stopped by its pid when the
// test ends.
type process struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan error
}

// startRole starts the test binary in role with the given lab.
func startRole(t testing.TB, role, resources, locks string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childRole+"="+role, childResources+"="+resources, childLocks+"="+locks)
	cmd.Env = append(cmd.Env, env...)
	return start(t, cmd)
}

// startPython runs testdata/pylock.py with args.
func startPython(t testing.TB, args ...string) *process {
	t.Helper()
	return start(t, exec.Command("python3", append([]string{"testdata/pylock.py"}, args...)...))
}

func start(t testing.TB, cmd *exec.Cmd) *process {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &testWriter{t: t, prefix: filepath.Base(cmd.Path)}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0") // the race detector's exit pause
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, stdin: stdin, lines: make(chan string, 100), done: make(chan error, 1)}
	go p.read(stdout)
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *process) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		p.lines <- sc.Text()
	}
	close(p.lines)
	p.done <- p.cmd.Wait()
}

// expect returns the next line of output, which must start with prefix.
func (p *process) expect(t testing.TB, prefix string) string {
	t.Helper()
	select {
	case line, ok := <-p.lines:
		require.True(t, ok, "process ended before saying %q", prefix)
		require.True(t, strings.HasPrefix(line, prefix), "want %q, got %q", prefix, line)
		return strings.TrimSpace(strings.TrimPrefix(line, prefix))
	case <-time.After(childWait):
		t.Fatalf("process did not say %q within %s", prefix, childWait)
		return ""
	}
}

func (p *process) send(t testing.TB, line string) {
	t.Helper()
	_, err := io.WriteString(p.stdin, line+"\n")
	require.NoError(t, err)
}

// wait returns the process's exit error once it has ended.
func (p *process) wait(t testing.TB) error {
	t.Helper()
	for range p.lines { // drain
	}
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(childWait):
		t.Fatalf("process %d did not end within %s", p.cmd.Process.Pid, childWait)
		return nil
	}
}

// stop kills the process by its pid if it still runs, and reaps it.
func (p *process) stop(t testing.TB) {
	p.cmd.Process.Kill() // an error only says it has ended already
	p.wait(t)
}

// testWriter passes a child's stderr to the test log.
type testWriter struct {
	t      testing.TB
	prefix string
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s: %s", w.prefix, strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
