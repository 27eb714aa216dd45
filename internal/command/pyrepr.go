package command

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
)

// The Python lockable gives the command each field as str() of what
// json.loads made of it (PYL lockable/cli.py, main: env[key.upper()] =
// str(resource.get(key))). With --py-compat, lockable does the same, so
// that scripts written for it see True, None and ['a', 'b'].

// pyStr is Python's str() of the value json.loads gives for v: a string
// as it is, anything else as its repr.
func pyStr(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Str
	}
	return pyRepr(v)
}

// pyRepr is Python's repr() of the value json.loads gives for v.
func pyRepr(v gjson.Result) string {
	switch {
	case v.Type == gjson.Null:
		return "None"
	case v.Type == gjson.True:
		return "True"
	case v.Type == gjson.False:
		return "False"
	case v.Type == gjson.Number:
		return pyNumber(v.Raw)
	case v.Type == gjson.String:
		return pyQuote(v.Str)
	case v.IsArray():
		var parts []string
		v.ForEach(func(_, e gjson.Result) bool {
			parts = append(parts, pyRepr(e))
			return true
		})
		return "[" + strings.Join(parts, ", ") + "]"
	}
	var parts []string
	v.ForEach(func(k, e gjson.Result) bool {
		parts = append(parts, pyQuote(k.Str)+": "+pyRepr(e))
		return true
	})
	return "{" + strings.Join(parts, ", ") + "}"
}

// pyNumber is repr() of a JSON number as json.loads reads it: an int
// when written without a fraction or exponent, a float otherwise.
func pyNumber(raw string) string {
	if !strings.ContainsAny(raw, ".eE") {
		if strings.TrimLeft(raw, "-0") == "" {
			return "0" // int("-0")
		}
		return raw
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil && !math.IsInf(f, 0) {
		return raw
	}
	return pyFloat(f)
}

// pyFloat is Python's repr() of a float: the shortest digits that read
// back the same, in positional notation from 1e-4 up to 1e16 (with ".0"
// when integral) and in exponent notation outside.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// pyQuote is Python's repr() of a str: in single quotes unless it holds
// one and no double quote, with backslash escapes for the quote, the
// backslash, tab, newline, carriage return and what is not printable.
func pyQuote(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}
