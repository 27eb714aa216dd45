package query

import (
	"strings"
)

// step is one dot-separated part of a field path. index is the array index
// it names when it is a decimal number without leading zeros, else -1.
type step struct {
	name  string
	index int
}

// maxIndex bounds numeric steps; longer digit strings are field names only.
const maxIndex = 1 << 30

// parsePath splits a field path at dots. Field names are literal: nothing
// but the dot is special. A path with an empty part ("", ".a", "a.", "a..b")
// is refused with the reason.
func parsePath(path string) ([]step, string) {
	if path == "" {
		return nil, "empty field name"
	}
	parts := strings.Split(path, ".")
	steps := make([]step, len(parts))
	for i, p := range parts {
		if p == "" {
			return nil, "field path has an empty part (a leading, trailing or double dot)"
		}
		steps[i] = step{name: p, index: arrayIndex(p)}
	}
	return steps, ""
}

func arrayIndex(s string) int {
	if s == "" || len(s) > 10 || (s[0] == '0' && len(s) > 1) {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > maxIndex {
		return -1
	}
	return n
}
