package query

import (
	"regexp"
	"strings"
)

// compileRegex compiles a $regex pattern with its $options (i, m, s, x) as
// Go's RE2. reason is empty on success.
func compileRegex(pattern, options string) (re *regexp.Regexp, reason string, err error) {
	var flags strings.Builder
	for _, o := range options {
		switch o {
		case 'i', 'm', 's':
			flags.WriteRune(o)
		case 'x':
			pattern = stripExtended(pattern)
		default:
			return nil, "unknown option " + quote(string(o)) + " (use i, m, s or x)", nil
		}
	}
	if flags.Len() > 0 {
		pattern = "(?" + flags.String() + ")" + pattern
	}
	re, err = regexp.Compile(pattern)
	if err != nil {
		return nil, "not a valid RE2 regular expression (no lookaround, no backreferences)", err
	}
	return re, "", nil
}

// stripExtended emulates PCRE's x option, which RE2 lacks: it drops
// whitespace and #-comments outside character classes, keeping escaped
// characters as they are.
func stripExtended(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case inClass:
			inClass = c != ']'
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i = copyClassStart(&b, p, i+1) - 1
		case c == ' ', c == '\t', c == '\n', c == '\r', c == '\f', c == '\v':
		case c == '#':
			for i+1 < len(p) && p[i+1] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// copyClassStart copies what may open a class literally ("^", then a "]"
// that does not close it) and returns the offset after it.
func copyClassStart(b *strings.Builder, p string, i int) int {
	if i < len(p) && p[i] == '^' {
		b.WriteByte('^')
		i++
	}
	if i < len(p) && p[i] == ']' {
		b.WriteByte(']')
		i++
	}
	return i
}
