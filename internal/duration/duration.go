// Package duration reads the durations lockable takes everywhere (--timeout,
// --max-hold, --kill-after, LOCKABLE_TIMEOUT, an etcd URL's ttl and
// timeout), with one strict grammar: seconds as the Python lockable takes
// them ("30", "0.5"), or a Go duration ("90s", "1m30s", "250ms").
package duration

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxSeconds is the largest number of seconds a time.Duration holds.
const maxSeconds = float64(1<<63-1) / float64(time.Second)

// ErrSyntax is matched by the error of a value that is neither form.
var ErrSyntax = errors.New("is neither seconds (30, 0.5) nor a duration (90s, 5m)")

// Parse reads s: decimal seconds (digits, optionally a point and more
// digits) or a Go duration made of numbers with units (ns us ms s m h).
// It refuses what is easy to get wrong: signs, exponents, underscores,
// hex, NaN, infinities, a lone unit, and values too large to hold. Spaces
// around s are ignored. Its error says what is wrong ("is negative"); the
// caller names the value.
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, errors.New("is empty")
	case s[0] == '-':
		return 0, errors.New("is negative")
	case !plain(s):
		return 0, ErrSyntax
	case isSeconds(s):
		return seconds(s)
	}
	if !units().MatchString(s) {
		return 0, ErrSyntax
	}
	d, err := time.ParseDuration(s)
	if err != nil { // well formed, so too large
		return 0, errors.New("is out of range")
	}
	return d, nil
}

// units is a Go duration: numbers, each with its unit. Compiled when
// first needed, not at every start of the command (and of its keeper).
var units = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+$`)
})

// plain reports whether s holds only digits, points and unit letters,
// starting with a digit: no sign, no underscore, no space inside.
func plain(s string) bool {
	if s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if i+1 == len(s) || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
				return false // ".5", "5.", "5.s"
			}
		case isDigit(c), c >= 'a' && c <= 'z':
		case c == 0xc2 || c == 0xb5 || c == 0xce || c == 0xbc:
			// the bytes of µ and μ, as in µs
		default:
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSeconds reports whether s is digits with at most one point between
// digits.
func isSeconds(s string) bool {
	whole, frac, dotted := strings.Cut(s, ".")
	return allDigits(whole) && (!dotted || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func seconds(s string) (time.Duration, error) {
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil || secs >= maxSeconds {
		return 0, errors.New("is out of range")
	}
	return time.Duration(secs * float64(time.Second)), nil
}
