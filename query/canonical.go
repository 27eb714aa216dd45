package query

import (
	"unicode/utf8"
)

// appendCanonical appends the valid JSON value raw in canonical form: no
// spaces, keys in their order, strings with the fewest escapes, numbers as
// written.
func appendCanonical(dst []byte, raw string) []byte {
	switch raw[0] {
	case '{':
		return appendCanonicalObject(dst, raw)
	case '[':
		return appendCanonicalArray(dst, raw)
	case '"':
		return appendString(dst, parseValue(raw).Str)
	}
	return append(dst, raw...)
}

func appendCanonicalObject(dst []byte, raw string) []byte {
	dst = append(dst, '{')
	it := newObjectIter(raw, 0, 1)
	for i := 0; ; i++ {
		k, esc, v, more := it.next()
		if !more {
			return append(dst, '}')
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, unescapeKey(k, esc))
		dst = append(dst, ':')
		dst = appendCanonical(dst, v)
	}
}

func appendCanonicalArray(dst []byte, raw string) []byte {
	dst = append(dst, '[')
	it := newArrayIter(raw, 0, 1)
	for i := 0; ; i++ {
		e, more := it.next()
		if !more {
			return append(dst, ']')
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCanonical(dst, e)
	}
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does; HTML characters are left alone.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(dst, '"')
}
