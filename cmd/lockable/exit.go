package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// Exit codes of lockable's own, in the convention of coreutils timeout and
// env; otherwise lockable exits with the command's status.
const (
	exitOK = 0
	// exitUsage: bad flags, arguments or LOCKABLE_* values.
	exitUsage = 2
	// exitLost: a lock was lost while the command ran (its lease
	// expired), so lockable stopped the command.
	exitLost = 122
	// exitMaxHold: the command held its resources longer than --max-hold
	// and lockable stopped it.
	exitMaxHold = 123
	// exitTimeout: no fitting resource was free before --timeout.
	exitTimeout = 124
	// exitFailure: any other failure of lockable itself.
	exitFailure = 125
	// exitCannotRun: the command was found but could not be run.
	exitCannotRun = 126
	// exitNotFound: the command was not found.
	exitNotFound = 127
	// exitSignal plus a signal's number: the command (or lockable, while
	// it waited) ended by that signal.
	exitSignal = 128
)

// exitError is an error with the exit code it calls for.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode gives err an exit code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// usagef is an error of the command line: exit code 2.
func usagef(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

// exitCode tells the exit code an error calls for.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, core.ErrTimeout):
		return exitTimeout
	}
	return exitFailure
}

// report writes err as one line on stderr, prefixed "lockable: ", and
// returns its exit code.
func (c *cli) report(err error) int {
	c.say("%s", oneLine(err))
	return exitCode(err)
}

// say writes one line of lockable's own on stderr, prefixed "lockable: ",
// with the known credentials blanked.
func (c *cli) say(format string, args ...any) {
	c.sayMu.Lock()
	defer c.sayMu.Unlock()
	fmt.Fprintf(c.stderr, "lockable: %s\n", c.secrets.String(fmt.Sprintf(format, args...)))
}

// oneLine renders an error on one line: a resources list with several
// problems is told by its first one and a count.
func oneLine(err error) string {
	var ve *provider.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 1 {
		more := len(ve.Problems) - 1 + ve.Omitted
		first, _, _ := strings.Cut(err.Error(), "\n")
		return fmt.Sprintf("%s (and %d more %s: run lockable validate)", first, more, plural(more, "problem"))
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// signalCode is the exit code for an end by signal sig.
func signalCode(sig os.Signal) int {
	if n, ok := signalNumber(sig); ok {
		return exitSignal + n
	}
	return exitFailure
}

// signalNumber is sig's number, when it has one.
func signalNumber(sig os.Signal) (int, bool) {
	s, ok := sig.(syscall.Signal)
	return int(s), ok
}
