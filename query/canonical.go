package query

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

// appendString appends s as a JSON string, escaping only quotes,
// backslashes and control characters. Other bytes are kept as they are
// (invalid UTF-8 too), so that the text means exactly what it was parsed
// from and is its own canonical form.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
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
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
