package provider

import (
	"encoding/json"
	"strings"
)

// repeat is a key that appears twice in one object: its path and the
// offsets of both in the text.
type repeat struct {
	path          string
	first, second int
}

// repeatedKey finds the first key that appears twice in one object, at
// any depth, of the valid JSON value that starts at w.s[i]. It scans the
// text once and, reused for every element, allocates only for objects
// with many keys and for keys with escapes: validation must stay fast
// for large lists.
func (w *repeatWalker) repeatedKey(i int) (repeat, bool) {
	w.keys, w.path, w.found, w.ok = w.keys[:0], w.path[:0], repeat{}, false
	w.value(i)
	return w.found, w.ok
}

// keySpan is one key of an object being walked: text[start:end] is its
// raw text, without the quotes.
type keySpan struct {
	start, end int
	escaped    bool
}

type repeatWalker struct {
	s     string
	keys  []keySpan // the keys of the objects being walked, innermost last
	path  []keySpan // the keys leading to the value being walked
	found repeat
	ok    bool
}

// value walks the value at s[i] and returns the offset past it.
func (w *repeatWalker) value(i int) int {
	i = skipSpace(w.s, i)
	switch w.s[i] {
	case '{':
		return w.object(i + 1)
	case '[':
		return w.array(i + 1)
	case '"':
		return stringEnd(w.s, i+1) + 1
	}
	for i < len(w.s) && !endsLiteral(w.s[i]) {
		i++
	}
	return i
}

// endsLiteral reports whether c ends a number, true, false or null.
func endsLiteral(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func (w *repeatWalker) array(i int) int {
	for {
		i = skipSpace(w.s, i)
		if w.s[i] == ']' {
			return i + 1
		}
		if i = w.value(i); w.ok {
			return i
		}
		if i = skipSpace(w.s, i); w.s[i] == ',' {
			i++
		}
	}
}

func (w *repeatWalker) object(i int) int {
	base := len(w.keys)
	defer func() { w.keys = w.keys[:base] }()
	var many map[string]int // by key, once there are many
	for {
		i = skipSpace(w.s, i)
		if w.s[i] == '}' {
			return i + 1
		}
		end := stringEnd(w.s, i+1)
		k := keySpan{start: i + 1, end: end, escaped: strings.IndexByte(w.s[i+1:end], '\\') >= 0}
		if first, seen := w.seen(w.keys[base:], &many, k); seen {
			w.found, w.ok = repeat{path: w.pathTo(k), first: first - 1, second: i}, true
			return i
		}
		w.keys = append(w.keys, k)
		i = skipSpace(w.s, end+1) + 1 // past the colon
		w.path = append(w.path, k)
		i = w.value(i)
		w.path = w.path[:len(w.path)-1]
		if w.ok {
			return i
		}
		if i = skipSpace(w.s, i); w.s[i] == ',' {
			i++
		}
	}
}

// seen reports whether k appeared before among keys, and where (the
// offset of its first byte after the quote). Past 16 keys, a map.
func (w *repeatWalker) seen(keys []keySpan, many *map[string]int, k keySpan) (int, bool) {
	name := w.name(k)
	if *many == nil && len(keys) < 16 {
		for _, prev := range keys {
			if w.name(prev) == name {
				return prev.start, true
			}
		}
		return 0, false
	}
	if *many == nil {
		*many = make(map[string]int, 2*len(keys))
		for _, prev := range keys {
			(*many)[w.name(prev)] = prev.start
		}
	}
	if at, ok := (*many)[name]; ok {
		return at, true
	}
	(*many)[name] = k.start
	return 0, false
}

// name is a key as a string, its escapes decoded.
func (w *repeatWalker) name(k keySpan) string {
	raw := w.s[k.start:k.end]
	if !k.escaped {
		return raw
	}
	var s string
	if json.Unmarshal([]byte(w.s[k.start-1:k.end+1]), &s) != nil {
		return raw
	}
	return s
}

// pathTo is the dotted path of key k in the object being walked.
func (w *repeatWalker) pathTo(k keySpan) string {
	parts := make([]string, 0, len(w.path)+1)
	for _, p := range w.path {
		parts = append(parts, w.name(p))
	}
	return strings.Join(append(parts, w.name(k)), ".")
}

// skipSpace returns the offset of the first byte at or after i that is
// not JSON white space.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// compact returns the JSON text raw without white space outside strings,
// so that a pretty-printed list matches as fast as a compact one and
// holds less. Text that has none is returned as it is, without a copy.
func compact(raw string) string {
	first := firstSpace(raw)
	if first < 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(raw[:first])
	for i := first; i < len(raw); i++ {
		switch c := raw[i]; c {
		case ' ', '\t', '\n', '\r':
		case '"':
			end := stringEnd(raw, i+1)
			b.WriteString(raw[i:min(end+1, len(raw))])
			i = end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// firstSpace returns the offset of the first white space outside strings
// in raw, or -1.
func firstSpace(raw string) int {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\n', '\r':
			return i
		case '"':
			i = stringEnd(raw, i+1)
		}
	}
	return -1
}
