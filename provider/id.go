package provider

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-lockable/lockable/internal/textcut"
	"github.com/tidwall/gjson"
)

// maxIDBytes bounds an id's length: with ".pid" appended it must stay a
// valid file name (255 bytes on common file systems), with room to spare.
const maxIDBytes = 200

// whyFileName ends every message about an unsafe id.
const whyFileName = "ids become lock file names (<lock folder>/<id>.pid), so an id must be a plain file name; rename the resource"

// elementID returns the id of a resource object as text, or a message
// saying why the object has no usable id.
func elementID(obj gjson.Result) (id, msg string) {
	v, twice := findID(obj)
	switch {
	case twice:
		return "", `the key "id" appears more than once; keep one`
	case !v.Exists():
		return "", `no "id"; every resource needs a unique id, a string or a number`
	case v.Type == gjson.String:
		return v.Str, idProblem(v.Str)
	case v.Type == gjson.Number:
		return v.Raw, idProblem(v.Raw)
	}
	return "", fmt.Sprintf(`"id" is %s; use a string or a number`, describe(v))
}

// findID returns the object's "id" member and whether the key appears
// more than once (gjson would read the first, encoding/json the last).
// Most objects hold "id" once and no escapes: one lookup is enough then.
func findID(obj gjson.Result) (id gjson.Result, twice bool) {
	if strings.Count(obj.Raw, `"id"`) <= 1 && !strings.Contains(obj.Raw, `\u`) {
		return obj.Get("id"), false
	}
	obj.ForEach(func(key, value gjson.Result) bool {
		if key.Str != "id" {
			return true
		}
		if id.Exists() {
			twice = true
			return false
		}
		id = value
		return true
	})
	return id, twice
}

// idProblem returns why id cannot name a lock file, or "" when it can.
func idProblem(id string) string {
	switch {
	case id == "":
		return "id is empty; " + whyFileName
	case id == "." || id == "..":
		return fmt.Sprintf("id %q is a path element; %s", id, whyFileName)
	case len(id) > maxIDBytes:
		return fmt.Sprintf("id %s is %d bytes long, more than %d; %s", quoteID(id), len(id), maxIDBytes, whyFileName)
	case !utf8.ValidString(id):
		return fmt.Sprintf("id %s is not valid UTF-8; %s", quoteID(id), whyFileName)
	}
	if i := strings.IndexFunc(id, unsafeRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(id[i:])
		return fmt.Sprintf("id %s contains %s; %s", quoteID(id), describeRune(r), whyFileName)
	}
	return ""
}

// unsafeRune reports runes an id may not contain: path separators and
// control characters (NUL included).
func unsafeRune(r rune) bool {
	return r == '/' || r == '\\' || unicode.IsControl(r)
}

// describeRune names a refused rune readably.
func describeRune(r rune) string {
	if unicode.IsControl(r) {
		return fmt.Sprintf("the control character %U", r)
	}
	return strconv.QuoteRune(r)
}

// quoteID quotes an id for a message, shortening a long one.
func quoteID(id string) string {
	const keep = 40
	if len(id) <= keep+10 {
		return strconv.Quote(id)
	}
	return strconv.Quote(textcut.Prefix(id, keep)) + "…"
}

// describe names a JSON value's type, with the value when it is short.
func describe(v gjson.Result) string {
	switch v.Type {
	case gjson.Null:
		return "null"
	case gjson.True, gjson.False:
		return "a boolean (" + v.Raw + ")"
	case gjson.Number:
		return "a number (" + v.Raw + ")"
	case gjson.String:
		return "a string " + quoteID(v.Str)
	}
	if v.IsArray() {
		return "an array"
	}
	return "an object"
}
