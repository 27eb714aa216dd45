package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/command"
)

// hold runs the command while allocs are held, then releases them,
// however the command ended. It returns the command's exit status, or
// exitLost when a lock was lost while the command ran.
func (c *cli) hold(allocs []*core.Allocation, words []string, o *options, sigs <-chan os.Signal) (int, error) {
	cmd := c.command(allocs, words, o)
	code, end, err := c.supervise(cmd, allocs, o, sigs)
	stop := c.tellDuringCleanup(o, sigs)
	lostLate := c.release(allocs, end.lost)
	stop()
	switch {
	case err != nil:
		return 0, err
	case end.maxHold:
		return code, withCode(exitMaxHold, fmt.Errorf(
			"held %s for longer than --max-hold %s: stopped the command (SIGTERM, then SIGKILL after --kill-after %s)",
			ids(allocs), o.maxHold, o.killAfter))
	case len(end.lost) > 0 || lostLate:
		return exitLost, nil // each loss was told on its own line
	}
	return code, nil
}

// tellDuringCleanup says, on the first signal that comes while the
// cleanup runs, that the cleanup runs on to its end or its bound before
// the release (a cleanup is not interrupted: the next user would get the
// resource dirty), so that a Ctrl-C is not met by silence. stop ends
// that.
func (c *cli) tellDuringCleanup(o *options, sigs <-chan os.Signal) (stop func()) {
	if o.cleanup == "" {
		return func() {}
	}
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		told := false
		for {
			select {
			case sig := <-sigs:
				if !told {
					told = true
					c.say("%s: the cleanup runs on to its end, or to --cleanup-timeout %s, before the release, lest the next user get the resource dirty; then lockable exits", sig, boundOf(o, "cleanup"))
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

// command builds the command: the words joined with spaces and run by
// /bin/sh -c, as the Python lockable does, or run as they are with
// --no-shell. Its environment is lockable's plus the resources'.
func (c *cli) command(allocs []*core.Allocation, words []string, o *options) *exec.Cmd {
	var cmd *exec.Cmd
	if o.noShell {
		cmd = exec.Command(words[0], words[1:]...)
	} else {
		cmd = shellCommand(strings.Join(words, " "))
	}
	indexed := len(allocs) > 1 || o.set["count"]
	cmd.Env = append(slices.Clip(c.environ), command.ResourceEnv(allocs, indexed, o.pyCompat)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.stdin, c.stdout, c.stderr
	return cmd
}

// supervise starts cmd and waits for it, forwarding signals, enforcing
// --max-hold (counted from when the resources were taken) and stopping
// it when a lock is lost. Once the command has ended, so has every
// process it started (see startCommand).
func (c *cli) supervise(cmd *exec.Cmd, allocs []*core.Allocation, o *options, sigs <-chan os.Signal) (int, ending, error) {
	if cmd.Err != nil { // not found on the PATH
		return 0, ending{}, startError(cmd, cmd.Err)
	}
	ownGroup := !foreground()
	early := c.early
	c.early = nil // the command's now, or ended
	r, err := startCommand(cmd, lockFiles(allocs), ownGroup, o.killAfter, early)
	if err != nil {
		return 0, ending{}, startError(cmd, err)
	}
	end := r.child.watch(r.ended, sigs, losses(allocs, r.ended), allocs[0].StartTime(), o, c.tellLost(o))
	status, left, err := r.finish()
	if len(left) > 0 {
		c.say("the command left %s running; stopped %s (SIGTERM, then SIGKILL after --kill-after %s) before releasing %s",
			strings.Join(left, ", "), plural(len(left), "it", "them"), o.killAfter, ids(allocs))
	}
	return status, end, err
}

// running is a command that startCommand started.
type running struct {
	child *child
	ended <-chan struct{} // closed once the command has ended
	// finish waits until every process the command started has ended,
	// and returns the command's status and what it left running.
	finish func() (status int, left []string, err error)
}

// lockFiles are the files that hold the allocations' locks, for the
// process that outlives the command to inherit.
func lockFiles(allocs []*core.Allocation) []*os.File {
	var files []*os.File
	for _, a := range allocs {
		files = append(files, a.ExtraFiles()...)
	}
	return files
}

// ending is what lockable did to the command while it ran.
type ending struct {
	// maxHold: it stopped the command for --max-hold, before any loss.
	maxHold bool
	// lost are the allocations lost while the command ran, each told on
	// stderr by then; lockable stopped the command for them.
	lost map[*core.Allocation]bool
}

// watch forwards signals until the command ends (done is closed), and
// stops it once it has held its resources for --max-hold, or once a lock
// is lost (told by tell): SIGTERM, then SIGKILL after --kill-after.
func (p *child) watch(done <-chan struct{}, sigs <-chan os.Signal, lost <-chan *core.Allocation, since time.Time, o *options, tell func(*core.Allocation)) ending {
	end := ending{lost: map[*core.Allocation]bool{}}
	var hold, kill <-chan time.Time
	if o.maxHold > 0 {
		t := time.NewTimer(time.Until(since.Add(o.maxHold)))
		defer t.Stop()
		hold = t.C
	}
	stopping := false
	stop := func() {
		if !stopping {
			stopping, hold, kill = true, nil, time.After(o.killAfter)
			p.signal(syscall.SIGTERM)
		}
	}
	for {
		select {
		case <-done:
			return end
		case sig := <-sigs:
			p.forward(sig)
		case <-hold:
			end.maxHold = true
			stop()
		case a := <-lost:
			end.lost[a] = true
			tell(a)
			stop()
		case <-kill:
			p.signal(os.Kill)
			kill = nil
		}
	}
}

// child is the running command.
type child struct {
	*os.Process
	// ownGroup: the command leads a process group of its own, which
	// signals go to as a whole.
	ownGroup bool
}

// forward passes a signal lockable received on to the command. Sharing
// lockable's process group in the foreground of a terminal, the command
// got the terminal's Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT) already: those
// are not sent twice.
func (p *child) forward(sig os.Signal) {
	if !p.ownGroup && fromTerminal(sig) && foreground() {
		return
	}
	p.signal(sig)
}

// startError words a failure to start the command, with the exit code
// of coreutils env: 127 not found, 126 found but not runnable.
func startError(cmd *exec.Cmd, err error) error {
	var ee *exitError
	if errors.As(err, &ee) { // the keeper's word
		return withCode(ee.code, fmt.Errorf("cannot run %s: %w", cmd.Args[0], ee.err))
	}
	code := exitCannotRun
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		code = exitNotFound
	}
	return withCode(code, fmt.Errorf("cannot run %s: %w", cmd.Args[0], unwrapExec(err)))
}

// unwrapExec drops what exec's errors repeat: the program's name.
func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
