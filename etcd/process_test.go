//go:build unix

package etcd_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/queuetest"
	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The test binary plays other processes of the lab when it is started
// with envRole set; the role's settings come in the environment too.
const (
	envRole      = "ETCD_TEST_ROLE"
	envURL       = "ETCD_TEST_URL"
	envResources = "ETCD_TEST_RESOURCES"
	envHost      = "ETCD_TEST_HOST"
	envDir       = "ETCD_TEST_DIR"
	envRounds    = "ETCD_TEST_ROUNDS"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		os.Exit(play(role))
	}
	goleak.VerifyTestMain(m) // Close stops the watch and the renewals
}

// play runs a role and returns its exit code: 0 done, 3 told the lock was
// lost, 1 anything else.
func play(role string) int {
	lk, err := core.New(context.Background(), provider.File(os.Getenv(envResources)),
		core.WithBackend(os.Getenv(envURL)), core.WithHostname(os.Getenv(envHost)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer lk.Close()
	switch role {
	case "hold":
		err = hold(lk)
	case "check":
		return check(lk)
	case "stress":
		err = stress(lk)
	case "queue-waiter":
		err = queuetest.Waiter(lk)
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// hold takes a server, says "token N", and holds it until stdin closes.
func hold(lk *core.Lockable) error {
	a, err := lk.Lock(context.Background(), anyServer)
	if err != nil {
		return err
	}
	fmt.Printf("token %d\n", a.FencingToken())
	io.Copy(io.Discard, os.Stdin)
	return a.Unlock()
}

// check takes a server, says "token N", then asks Err every millisecond
// and appends "ok <unix nanos>" to <dir>/checks each time it says held,
// the time taken before asking. When told the lock is lost it says
// "lost: <why>" and exits 3.
func check(lk *core.Lockable) int {
	a, err := lk.Lock(context.Background(), anyServer)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	f, err := os.Create(filepath.Join(os.Getenv(envDir), "checks"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	fmt.Printf("token %d\n", a.FencingToken())
	for {
		before := time.Now().UnixNano()
		if err := a.Err(); err != nil {
			fmt.Printf("lost: %v\n", err)
			return 3
		}
		fmt.Fprintf(f, "ok %d\n", before)
		time.Sleep(time.Millisecond)
	}
}

// stress takes and releases a server rounds times; while it holds one
// it owns <dir>/<id>.holder, created exclusively: a second holder could
// not create it, and says "overlap".
func stress(lk *core.Lockable) error {
	rounds, err := strconv.Atoi(os.Getenv(envRounds))
	if err != nil {
		return err
	}
	for range rounds {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		a, err := lk.Lock(ctx, anyServer)
		cancel()
		if err != nil {
			return err
		}
		marker := filepath.Join(os.Getenv(envDir), a.ResourceID()+".holder")
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			fmt.Printf("overlap on %s\n", a.ResourceID())
		} else if err != nil {
			return err
		} else {
			f.Close()
			time.Sleep(time.Millisecond)
			os.Remove(marker)
		}
		if err := a.Unlock(); err != nil {
			return err
		}
	}
	fmt.Println("done")
	return nil
}

// player is a child process playing a role.
type player struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	exit  chan error
}

// start runs the test binary as role in lab lb for host, and stops it
// (SIGKILL) when the test ends, if it has not ended.
func start(t *testing.T, lb *lab, role, host, dir string, extra ...string) *player {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"="+role, envURL+"="+lb.url(), envResources+"="+lb.resources,
		envHost+"="+host, envDir+"="+dir, "GORACE=atexit_sleep_ms=0")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &player{cmd: cmd, stdin: stdin, lines: make(chan string, 1024), exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.exit <- cmd.Wait()
	}()
	t.Cleanup(func() {
		syscall.Kill(cmd.Process.Pid, syscall.SIGCONT)
		cmd.Process.Kill()
		<-p.exit
	})
	return p
}

// line returns the player's next line of output.
func (p *player) line(t *testing.T, d time.Duration) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		require.True(t, ok, "the player ended without saying more")
		return l
	case <-time.After(d):
		require.FailNow(t, "the player said nothing", "within %s", d)
	}
	return ""
}

// wait returns the player's exit code once it has ended.
func (p *player) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	for range p.lines {
	}
	select {
	case err := <-p.exit:
		p.exit <- err // for the cleanup
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(d):
		require.FailNow(t, "the player did not end", "within %s", d)
	}
	return -1
}

func TestHoldersOnTwoHostsExcludeEachOther(t *testing.T) {
	lb := newLab(t, 1, "2s")
	p := start(t, lb, "hold", "host-b", t.TempDir())
	token, err := strconv.ParseInt(strings.TrimPrefix(p.line(t, 30*time.Second), "token "), 10, 64)
	require.NoError(t, err)

	lk := lb.lockable(t, "host-a")
	_, err = lk.Lock(within(t, 300*time.Millisecond), anyServer)
	require.ErrorIs(t, err, core.ErrTimeout, "host-b's process holds the one server")
	assert.ErrorContains(t, err, "host-b")

	p.stdin.Close() // host-b releases
	a, err := lk.Lock(within(t, 10*time.Second), anyServer)
	require.NoError(t, err)
	assert.Greater(t, a.FencingToken(), token)
	assert.Zero(t, p.wait(t, 10*time.Second))
	require.NoError(t, a.Unlock())
}

// 8 processes on 2 hosts take 2 servers 50 times each; a marker file
// that only one holder at a time can create tells any overlap.
func TestNoServerEverHasTwoHolders(t *testing.T) {
	const procs, rounds = 8, 50
	lb := newLab(t, 2, "5s")
	dir := t.TempDir()
	players := make([]*player, procs)
	for i := range players {
		players[i] = start(t, lb, "stress", fmt.Sprintf("host-%d", i%2), dir, envRounds+"="+strconv.Itoa(rounds))
	}
	for i, p := range players {
		var said []string
		for l := range p.lines {
			said = append(said, l)
		}
		assert.Equal(t, []string{"done"}, said, "process %d", i)
		assert.Zero(t, p.wait(t, 2*time.Minute), "process %d", i)
	}
	assert.Zero(t, lb.heldKeys(t), "every lock was released")
}

// A holder killed with SIGKILL releases nothing; its lease expires and
// the waiter gets the server within the TTL and a second.
func TestKilledHoldersLeaseExpires(t *testing.T) {
	const ttl = time.Second
	lb := newLab(t, 1, "1s")
	p := start(t, lb, "hold", "host-b", t.TempDir())
	p.line(t, 30*time.Second)
	lk := lb.lockable(t, "host-a")

	require.NoError(t, p.cmd.Process.Kill())
	a, err := lk.Lock(within(t, ttl+time.Second), anyServer)
	require.NoError(t, err, "the server is free within the TTL and a second of the kill")
	assert.Equal(t, -1, p.wait(t, 10*time.Second), "the holder died of the signal")
	require.NoError(t, a.Unlock())
}

// A holder frozen past its TTL loses the server to a waiter; once
// continued, its first check says the lock is lost: it never believed it
// held the server after the waiter got it.
func TestFrozenHolderLearnsItLostTheLock(t *testing.T) {
	lb := newLab(t, 1, "1s")
	dir := t.TempDir()
	p := start(t, lb, "check", "host-b", dir)
	p.line(t, 30*time.Second)
	lk := lb.lockable(t, "host-a")
	require.Eventually(t, func() bool { // it has checked once at least
		data, err := os.ReadFile(filepath.Join(dir, "checks"))
		return err == nil && strings.HasPrefix(string(data), "ok ")
	}, 30*time.Second, time.Millisecond)

	require.NoError(t, syscall.Kill(p.cmd.Process.Pid, syscall.SIGSTOP))
	a, err := lk.Lock(within(t, 30*time.Second), anyServer)
	require.NoError(t, err)
	acquired := time.Now().UnixNano()
	require.NoError(t, syscall.Kill(p.cmd.Process.Pid, syscall.SIGCONT))

	lost := p.line(t, 30*time.Second)
	assert.Contains(t, lost, "lost: ")
	assert.Contains(t, lost, "lock lost")
	assert.Equal(t, 3, p.wait(t, 30*time.Second))
	checks, err := os.ReadFile(filepath.Join(dir, "checks"))
	require.NoError(t, err)
	var last int64
	for l := range strings.Lines(string(checks)) {
		at, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(l, "ok ")), 10, 64)
		require.NoError(t, err, l)
		last = max(last, at)
	}
	require.NotZero(t, last, "the holder checked before it was frozen")
	assert.Less(t, last, acquired, "no check after the waiter got the server said held")
	assert.NoError(t, a.Err())
	require.NoError(t, a.Unlock())
}

// Lockable.Changes follows the lab on etcd too: a lock taken by another
// process (a put, which a waiter's watch leaves out) and its release.
func TestChangesFollowAnotherProcess(t *testing.T) {
	lb := newLab(t, 1, "10s")
	lk := lb.lockable(t, "host-a")
	changes := lk.Changes(t.Context())
	require.True(t, receivedWithin(changes, 10*time.Second), "the watch of every change is up")

	p := start(t, lb, "hold", "host-b", t.TempDir())
	p.line(t, 30*time.Second)
	nextChange(t, lk, changes, core.Held)
	p.stdin.Close()
	assert.Zero(t, p.wait(t, 10*time.Second))
	nextChange(t, lk, changes, core.Free)
}

// nextChange waits for values on changes until Status shows s0 in state
// want after one, failing when none brings it within 10 s.
func nextChange(t *testing.T, lk *core.Lockable, changes <-chan struct{}, want core.State) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-changes:
			require.True(t, ok, "Changes closed while waiting for s0 to be %v", want)
		case <-deadline:
			t.Fatalf("no change brought s0 to %v within 10s", want)
		}
		st, err := lk.Status(t.Context(), nil)
		require.NoError(t, err)
		if st.Resources[0].State == want {
			return
		}
	}
}

// receivedWithin reports whether a value comes on ch within d.
func receivedWithin(ch <-chan struct{}, d time.Duration) bool {
	select {
	case _, ok := <-ch:
		return ok
	case <-time.After(d):
		return false
	}
}
