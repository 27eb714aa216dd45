//go:build unix

package lockabletest_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Bounds on the child processes of the process tests.
const (
	buildWait = 5 * time.Minute // compiling the lab module's tests
	childWait = 2 * time.Minute // one run of a test binary or of go test
)

// labModule is testdata/labmod copied into a temporary module that uses
// this checkout of lockable, with its test binaries built.
type labModule struct {
	dir  string
	bins string // lab.test and fleet.test
}

const labModulePath = "example.com/labtest"

// newLabModule copies testdata/labmod into a temporary module and builds
// the test binaries of its packages lab and fleet, once: compiling is
// what these tests spend most of their time on.
func newLabModule(t *testing.T) *labModule {
	t.Helper()
	cwd, err := os.Getwd()
	require.NoError(t, err)
	repo := filepath.Dir(cwd) // the test runs in <repo>/lockabletest
	m := &labModule{dir: t.TempDir(), bins: t.TempDir()}
	require.NoError(t, os.CopyFS(m.dir, os.DirFS(filepath.Join(cwd, "testdata", "labmod"))))
	m.writeGoMod(t, repo)
	cmd := m.goCommand(t, buildWait, "test", "-c", "-o", m.bins+string(filepath.Separator), "./lab", "./fleet")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building the lab module's tests:\n%s", out)
	return m
}

// writeGoMod writes go.mod, requiring lockable from the checkout at repo
// and every module the checkout requires (the go command wants each
// module that provides a package in the build listed), and go.sum.
func (m *labModule) writeGoMod(t *testing.T, repo string) {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	require.NoError(t, err)
	goVersion, reqs := parseGoMod(string(mod))
	var b strings.Builder
	b.WriteString("module " + labModulePath + "\n\ngo " + goVersion + "\n\nrequire github.com/go-lockable/lockable v0.0.0\n\n")
	for _, req := range reqs {
		b.WriteString("require " + req + "\n")
	}
	b.WriteString("\nreplace github.com/go-lockable/lockable => " + repo + "\n")
	write(t, filepath.Join(m.dir, "go.mod"), b.String())
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	write(t, filepath.Join(m.dir, "go.sum"), string(sum))
}

// parseGoMod returns the go version of a go.mod and its requirements,
// each as "module version".
func parseGoMod(gomod string) (goVersion string, reqs []string) {
	block := false
	for line := range strings.Lines(gomod) {
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "go" && len(fields) == 2:
			goVersion = fields[1]
		case block && fields[0] == ")":
			block = false
		case block && len(fields) == 2:
			reqs = append(reqs, fields[0]+" "+fields[1])
		case fields[0] == "require" && len(fields) == 2 && fields[1] == "(":
			block = true
		case fields[0] == "require" && len(fields) == 3:
			reqs = append(reqs, fields[1]+" "+fields[2])
		}
	}
	return goVersion, reqs
}

// goCommand returns a go command run in the module, bounded by wait and
// by the test, in a process group of its own that is killed, by its id,
// when the bound passes: go test starts processes of its own.
func (m *labModule) goCommand(t *testing.T, wait time.Duration, args ...string) *exec.Cmd {
	t.Helper()
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)
	return m.command(t, wait, m.dir, goBin, args...)
}

func (m *labModule) command(t *testing.T, wait time.Duration, dir, name string, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-mod=readonly")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// cleanEnv is this process's environment without the variables that
// would configure the children's labs.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LOCKABLE_") && !strings.HasPrefix(kv, "LAB_") && !strings.HasPrefix(kv, "GOFLAGS=") {
			env = append(env, kv)
		}
	}
	return env
}

// binary returns the test binary of package pkg ("lab" or "fleet").
func (m *labModule) binary(pkg string) string {
	return filepath.Join(m.bins, pkg+".test")
}

// run runs the test binary of pkg with args in its package directory, as
// go test would, with the variables env added, and returns its output
// and exit error.
func (m *labModule) run(t *testing.T, pkg string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := m.testCommand(t, pkg, env, args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}
	return string(out), err
}

func (m *labModule) testCommand(t *testing.T, pkg string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	args = append([]string{"-test.v", "-test.count=1", "-test.timeout=90s"}, args...)
	cmd := m.command(t, childWait, filepath.Join(m.dir, pkg), m.binary(pkg), args...)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// child is a running test binary.
type child struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
}

// start starts the test binary of pkg; it is killed by its pid when the
// test ends, if it still runs.
func (m *labModule) start(t *testing.T, pkg string, env []string, args ...string) *child {
	t.Helper()
	cmd := m.testCommand(t, pkg, env, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	c := &child{cmd: cmd, lines: bufio.NewScanner(stdout)}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // an error says it has ended
		io.Copy(io.Discard, stdout)
		cmd.Wait()
	})
	return c
}

// waitForText reads the child's output until a line contains text, and
// returns that line from text on.
func (c *child) waitForText(t *testing.T, text string) string {
	t.Helper()
	for c.lines.Scan() {
		if i := strings.Index(c.lines.Text(), text); i >= 0 {
			return c.lines.Text()[i:]
		}
	}
	t.Fatalf("the child ended without saying %q", text)
	return ""
}

// waitFor reads the child's output until a line starts with prefix, and
// returns the rest of that line. The child's -test.timeout bounds it.
func (c *child) waitFor(t *testing.T, prefix string) string {
	t.Helper()
	for c.lines.Scan() {
		if rest, ok := strings.CutPrefix(c.lines.Text(), prefix); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("the child ended without saying %q", prefix)
	return ""
}
