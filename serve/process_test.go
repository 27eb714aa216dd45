package serve

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// processWait bounds every wait on another process.
const processWait = 60 * time.Second

// holder is another process that holds a resource of the lab: the test
// binary, run as a holder (see hold).
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan error
}

// startHolder starts a process that takes a resource fitting wants from
// the lab, and stops it by its pid when the test ends.
func startHolder(t testing.TB, lab *testLab, wants, owner string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holderRole+"=hold", holderResources+"="+lab.path, holderLocks+"="+lab.locks,
		holderBackend+"="+lab.backend, holderHost+"="+lab.host, holderWants+"="+wants, holderOwner+"="+owner,
		"GORACE=atexit_sleep_ms=0")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &testWriter{t: t}
	require.NoError(t, cmd.Start())
	p := &holder{cmd: cmd, stdin: stdin, lines: make(chan string, 10), done: make(chan error, 1)}
	go p.read(stdout)
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *holder) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		p.lines <- sc.Text()
	}
	close(p.lines)
	p.done <- p.cmd.Wait()
}

// expect returns the rest of the next line of output, which must start
// with word.
func (p *holder) expect(t testing.TB, word string) string {
	t.Helper()
	select {
	case line, ok := <-p.lines:
		require.True(t, ok, "the holder ended before saying %q", word)
		first, rest, _ := strings.Cut(line, " ")
		require.Equal(t, word, first, "the holder said %q", line)
		return rest
	case <-time.After(processWait):
		t.Fatalf("the holder did not say %q within %s", word, processWait)
		return ""
	}
}

// expectTime returns the Unix milliseconds of the next line of output,
// which must be word followed by them.
func (p *holder) expectTime(t testing.TB, word string) int64 {
	t.Helper()
	rest := p.expect(t, word)
	ms, err := strconv.ParseInt(rest, 10, 64)
	require.NoError(t, err, "%s %s", word, rest)
	return ms
}

// release tells the holder to release its resource and waits until it
// has.
func (p *holder) release(t testing.TB) {
	t.Helper()
	_, err := io.WriteString(p.stdin, "release\n")
	require.NoError(t, err)
	p.expect(t, "released")
}

// pid is the holder's process id.
func (p *holder) pid() int { return p.cmd.Process.Pid }

// stop kills the holder by its pid if it still runs, and reaps it.
func (p *holder) stop(t testing.TB) {
	_ = p.cmd.Process.Kill() // an error only says it has ended already
	for range p.lines {      // drain
	}
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(processWait):
		t.Errorf("holder %d did not end within %s", p.pid(), processWait)
	}
}

// testWriter passes a holder's stderr to the test log.
type testWriter struct{ t testing.TB }

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Logf("holder: %s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
