package provider

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched by every *ValidationError (errors.Is): the list was
// read but is not a valid resources list. Fix the list; retrying will not
// help.
var ErrInvalid = errors.New("invalid resources list")

// ErrUnavailable is wrapped by the errors of a list that could not be read
// at all: a missing or unreadable file, a file that kept changing while it
// was read, an HTTP request that failed or answered with an error status, a
// body over the size limit.
var ErrUnavailable = errors.New("resources list unavailable")

// maxProblems caps the problems one ValidationError lists; the rest are
// only counted.
const maxProblems = 50

// Problem is one thing wrong with a resources list.
type Problem struct {
	// Index is the array index of the element at fault, or -1 when the
	// problem is with the list as a whole (not JSON, not an array).
	Index int
	// Line and Column locate the element's start (or the syntax error),
	// both 1-based, Column in bytes. They are 0 when unknown, as for a
	// List source, which has no text of its own.
	Line, Column int
	// ID is the id involved, or "" when there is none.
	ID string
	// Message says what is wrong and, where it can, what to do.
	Message string
}

// String formats the problem as "line:column: [index]: message", leaving
// out what is unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", p.Line, p.Column)
	}
	if p.Index >= 0 {
		fmt.Fprintf(&b, "[%d]: ", p.Index)
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError is the error of a resources list that is not valid. It
// lists every problem found (up to a cap) and matches ErrInvalid.
type ValidationError struct {
	// Source names the list: a file path, a URL, or "list".
	Source string
	// Problems are in the order of the list.
	Problems []Problem
	// Omitted counts further problems found beyond the cap.
	Omitted int
}

// Error prints one problem per line, each starting with the source, as
// compilers do: "res.json:4:3: [1]: duplicate id ...".
func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return e.Source + ": " + ErrInvalid.Error()
	}
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, e.Source+":"+sep(p)+p.String())
	}
	if e.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("%s: and %d more problems", e.Source, e.Omitted))
	}
	return strings.Join(lines, "\n")
}

// sep keeps "file:3:4:" tight and puts a space before anything else.
func sep(p Problem) string {
	if p.Line > 0 {
		return ""
	}
	return " "
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool {
	return target == ErrInvalid
}

// add records a problem, or only counts it once the cap is reached.
func (e *ValidationError) add(p Problem) {
	if len(e.Problems) >= maxProblems {
		e.Omitted++
		return
	}
	e.Problems = append(e.Problems, p)
}

// full tells whether further problems would only be counted.
func (e *ValidationError) full() bool {
	return len(e.Problems) >= maxProblems
}
