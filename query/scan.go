package query

// This file is a small validating JSON scanner. Match walks resources with it
// (one pass that both validates the text and finds the fields a query needs)
// and hands the values it finds to gjson; compile walks requirements with it.
// Every function works on a string and an offset and never allocates.

// maxDepth bounds the nesting of arrays and objects, as encoding/json does,
// so that hostile input cannot exhaust the stack.
const maxDepth = 10000

// skipSpace returns the offset of the first non-space byte at or after i.
func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the offset just past the JSON value that starts at s[i]
// (no leading space). ok is false when the text there is not a valid JSON
// value; the offset then points near the error.
func skipValue(s string, i, depth int) (end int, ok bool) {
	if i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		end, _, ok = skipString(s, i)
		return end, ok
	case c == '{':
		return skipObject(s, i, depth+1)
	case c == '[':
		return skipArray(s, i, depth+1)
	case c == 't':
		return skipLiteral(s, i, "true")
	case c == 'f':
		return skipLiteral(s, i, "false")
	case c == 'n':
		return skipLiteral(s, i, "null")
	case c == '-' || isDigit(c):
		return skipNumber(s, i)
	}
	return i, false
}

func skipObject(s string, i, depth int) (int, bool) {
	it := newObjectIter(s, i, depth)
	for {
		if _, _, _, more := it.next(); !more {
			return it.end, it.ok
		}
	}
}

func skipArray(s string, i, depth int) (int, bool) {
	it := newArrayIter(s, i, depth)
	for {
		if _, more := it.next(); !more {
			return it.end, it.ok
		}
	}
}

func skipLiteral(s string, i int, lit string) (int, bool) {
	if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
		return i + len(lit), true
	}
	return i, false
}

// skipString scans the string whose opening quote is s[i]. escaped reports a
// backslash inside, so that the caller knows the text needs unescaping.
func skipString(s string, i int) (end int, escaped, ok bool) {
	for i++; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return i + 1, escaped, true
		case c < 0x20:
			return i, escaped, false
		case c == '\\':
			escaped = true
			if i, ok = skipEscape(s, i+1); !ok {
				return i, escaped, false
			}
		}
	}
	return i, escaped, false
}

// skipEscape checks the escape whose letter is s[i] and returns the offset of
// its last byte.
func skipEscape(s string, i int) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch s[i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i, true
	case 'u':
		if len(s)-i <= 4 {
			return i, false
		}
		for j := i + 1; j <= i+4; j++ {
			if !isHex(s[j]) {
				return j, false
			}
		}
		return i + 4, true
	}
	return i, false
}

func skipNumber(s string, i int) (int, bool) {
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		i = skipDigits(s, i)
	default:
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		if i+1 >= len(s) || !isDigit(s[i+1]) {
			return i, false
		}
		i = skipDigits(s, i+1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return i, false
		}
		i = skipDigits(s, i)
	}
	return i, true
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// objectIter walks the members of a JSON object, validating as it goes.
// After next reports no more members, ok tells whether the object was valid
// and end is the offset just past its closing brace.
type objectIter struct {
	s       string
	i       int // where to read next
	depth   int
	first   bool // nothing read yet: '}' may close an empty object
	closing bool // the closing brace was seen after the last member
	done    bool
	ok      bool
	end     int
}

// newObjectIter starts at the opening brace s[i].
func newObjectIter(s string, i, depth int) objectIter {
	it := objectIter{s: s, i: i + 1, depth: depth, first: true}
	if depth > maxDepth {
		it.stop(i, false)
	}
	return it
}

func (it *objectIter) stop(end int, ok bool) {
	it.end, it.ok, it.done = end, ok, true
}

// next returns the next member: its key as written between the quotes
// (escaped reports backslashes in it) and the raw text of its value.
func (it *objectIter) next() (key string, escaped bool, value string, more bool) {
	if it.done || it.closing {
		if !it.done {
			it.stop(it.i, true)
		}
		return "", false, "", false
	}
	s := it.s
	i := skipSpace(s, it.i)
	if it.first && i < len(s) && s[i] == '}' {
		it.stop(i+1, true)
		return "", false, "", false
	}
	it.first = false
	key, escaped, i, ok := objectKey(s, i)
	if !ok {
		it.stop(i, false)
		return "", false, "", false
	}
	vend, ok := skipValue(s, i, it.depth)
	if ok {
		it.i, it.closing = consumeSeparator(s, vend, '}')
		ok = it.i >= 0
	}
	if !ok {
		it.stop(vend, false)
		return "", false, "", false
	}
	return key, escaped, s[i:vend], true
}

// objectKey reads `"key":` at s[i] and returns the offset of the value.
func objectKey(s string, i int) (key string, escaped bool, next int, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return "", false, i, false
	}
	kend, escaped, ok := skipString(s, i)
	if !ok {
		return "", false, kend, false
	}
	key = s[i+1 : kend-1]
	j := skipSpace(s, kend)
	if j >= len(s) || s[j] != ':' {
		return "", false, j, false
	}
	return key, escaped, skipSpace(s, j+1), true
}

// consumeSeparator reads a comma or the closing bracket at or after s[i]
// (after spaces). It returns the offset past it, or -1 when neither is there.
func consumeSeparator(s string, i int, closing byte) (next int, closed bool) {
	i = skipSpace(s, i)
	switch {
	case i < len(s) && s[i] == ',':
		return i + 1, false
	case i < len(s) && s[i] == closing:
		return i + 1, true
	}
	return -1, false
}

// arrayIter walks the elements of a JSON array, validating as it goes; ok
// and end as for objectIter.
type arrayIter struct {
	s       string
	i       int
	depth   int
	first   bool
	closing bool
	done    bool
	ok      bool
	end     int
}

// newArrayIter starts at the opening bracket s[i].
func newArrayIter(s string, i, depth int) arrayIter {
	it := arrayIter{s: s, i: i + 1, depth: depth, first: true}
	if depth > maxDepth {
		it.stop(i, false)
	}
	return it
}

func (it *arrayIter) stop(end int, ok bool) {
	it.end, it.ok, it.done = end, ok, true
}

// next returns the raw text of the next element.
func (it *arrayIter) next() (value string, more bool) {
	if it.done || it.closing {
		if !it.done {
			it.stop(it.i, true)
		}
		return "", false
	}
	s := it.s
	i := skipSpace(s, it.i)
	if it.first && i < len(s) && s[i] == ']' {
		it.stop(i+1, true)
		return "", false
	}
	it.first = false
	vend, ok := skipValue(s, i, it.depth)
	if ok {
		it.i, it.closing = consumeSeparator(s, vend, ']')
		ok = it.i >= 0
	}
	if !ok {
		it.stop(vend, false)
		return "", false
	}
	return s[i:vend], true
}
