package query

import (
	"strconv"
	"strings"

	"github.com/go-lockable/lockable/internal/textcut"
)

// Error is the error Parse, New and MustParse report for requirements that
// do not compile: not JSON, an unknown operator, an operator given the wrong
// kind of argument, a bad regular expression, a malformed short-form part.
// Use errors.As to get at its fields.
type Error struct {
	// Path locates the fault in the requirements: keys joined by dots, with
	// array positions as numbers ("ram_gb", "$or.1.os", "tags.$all.0").
	// For the short form it is the offending part ("a..b=1"). Empty for
	// the requirements as a whole.
	Path string
	// Operator is the operator at fault ("$in"), or empty.
	Operator string
	// Reason says what is wrong and, where it can, what to write instead.
	Reason string
	// Err is the underlying error, if any: a regexp or JSON encoding error.
	Err error
}

// Error formats the error as `requirements: <path>: <operator>: <reason>`,
// leaving out the parts that are empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("requirements: ")
	if e.Path != "" {
		b.WriteString(quote(e.Path))
		b.WriteString(": ")
	}
	if e.Operator != "" {
		b.WriteString(e.Operator)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func errorf(path, op, reason string) *Error {
	return &Error{Path: path, Operator: op, Reason: reason}
}

// quote quotes text for messages, as Go syntax, and shortened: a message
// repeats at most maxQuoted bytes of what it was given.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(textcut.Prefix(s, maxQuoted)) + "…"
}

// maxQuoted bounds the bytes of a requirement a message quotes.
const maxQuoted = 200

// joinPath extends an error location by one key or index.
func joinPath(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}
