package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/redact"
)

const (
	// DefaultGrace is the time between SIGTERM and SIGKILL when a command
	// reaches its bound.
	DefaultGrace = 5 * time.Second
	// tailLines and tailBytes bound the output an error keeps: its last
	// lines.
	tailLines = 10
	tailBytes = 2 << 10
	// drainBound bounds the reading of output that outlives the command:
	// a process out of its group holding the pipe.
	drainBound = time.Second
)

// Command is one lab care command.
type Command struct {
	// Line is run by /bin/sh -c (cmd /C on Windows).
	Line string
	// Env is its whole environment.
	Env []string
	// Grace is the time between SIGTERM and SIGKILL at the bound; 0 is
	// DefaultGrace.
	Grace time.Duration
	// Secrets are blanked in the output kept.
	Secrets *redact.Redactor
}

// Run runs the command until it exits or ctx is done; then it stops its
// process group (SIGTERM, then SIGKILL after the grace) and fails. It
// returns nil when the command exits with status 0, and an *Error
// otherwise; what the command left running is killed either way.
func (c Command) Run(ctx context.Context) error {
	out := &tail{}
	err := c.run(ctx, out)
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	e.Output = c.Secrets.String(out.text())
	return e
}

func (c Command) grace() time.Duration {
	if c.Grace <= 0 {
		return DefaultGrace
	}
	return c.Grace
}

// run starts the command with its output into out, and waits for it.
func (c Command) run(ctx context.Context, out io.Writer) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := shell(c.Line)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.Env, w, w // a file: the child writes it itself
	p, err := start(cmd)
	w.Close()
	if err != nil {
		return fmt.Errorf("cannot run %s: %w", cmd.Path, err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, _ = io.Copy(out, r)
	}()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is in cmd.ProcessState
		close(exited)
	}()
	stopped := false
	select {
	case <-exited:
	case <-ctx.Done():
		stopped = true
		p.stop(exited, c.grace())
	}
	p.end()
	drain(r, read)
	return outcome(cmd.ProcessState, stopped, c.grace())
}

// drain waits a moment for the rest of the output: a process that left
// the group may still hold the pipe, and is not waited for.
func drain(r *os.File, read <-chan struct{}) {
	t := time.NewTimer(drainBound)
	defer t.Stop()
	select {
	case <-read:
	case <-t.C:
		r.Close()
		<-read
	}
}

// outcome is how the command ended, as an error: nil for status 0.
func outcome(ps *os.ProcessState, stopped bool, grace time.Duration) error {
	switch {
	case stopped:
		return &Error{Status: -1, Stopped: true, Grace: grace}
	case ps.Success():
		return nil
	}
	return &Error{Status: ps.ExitCode(), Signal: signalName(ps)}
}

// Error is a command that failed.
type Error struct {
	// Status is its exit status; -1 when a signal ended it.
	Status int
	// Signal names the signal that ended it ("KILL"), if one did.
	Signal string
	// Stopped: its context was done before it ended (its bound), and its
	// process group was stopped.
	Stopped bool
	// Grace is the grace between SIGTERM and SIGKILL it was given.
	Grace time.Duration
	// Output is the last lines of its output (stdout and stderr), with
	// known credentials blanked.
	Output string
}

// NotRun reports whether the shell could not run the command at all: it
// exited 127 (not found) or 126 (found, not executable), as POSIX shells
// do. A program of the command's own may exit so too; for a check, that
// says the same: the host cannot check.
func (e *Error) NotRun() bool {
	return !e.Stopped && e.Signal == "" && (e.Status == 126 || e.Status == 127)
}

func (e *Error) Error() string {
	var what string
	switch {
	case e.Stopped:
		what = fmt.Sprintf("stopped its process group (SIGTERM, then SIGKILL after %s)", e.Grace)
	case e.Signal != "":
		what = "killed by signal " + e.Signal
	default:
		what = fmt.Sprintf("exit status %d", e.Status)
	}
	if e.Output == "" {
		return what
	}
	return what + ": " + e.Output
}

// tail keeps the end of what is written to it: at most twice tailBytes
// while writing, then text() gives the last lines within the bounds.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*tailBytes {
		t.buf = append(t.buf[:0:0], t.buf[len(t.buf)-tailBytes:]...)
	}
	return len(p), nil
}

// text is the last tailLines lines, at most tailBytes, without trailing
// white space and not starting inside a character.
func (t *tail) text() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := bytes.TrimRight(t.buf, " \t\r\n")
	if len(b) > tailBytes {
		b = b[len(b)-tailBytes:]
		for len(b) > 0 && b[0]&0xc0 == 0x80 {
			b = b[1:]
		}
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return strings.ToValidUTF8(strings.Join(lines, "\n"), "\uFFFD")
}
