package query

import (
	"github.com/tidwall/gjson"
)

// kind is a JSON value's type, with numbers as one kind whatever their
// spelling: MongoDB's type brackets for JSON.
type kind uint8

const (
	kindMissing kind = iota
	kindNull
	kindNumber
	kindString
	kindObject
	kindArray
	kindBool
)

// sortOrder ranks kinds as MongoDB's BSON comparison order does (null,
// numbers, strings, objects, arrays, booleans), for comparing the elements
// of arrays and objects whose types differ.
func (k kind) sortOrder() int { return int(k) }

// parseValue turns the raw text of one valid JSON value into a gjson
// result. It does not allocate unless a string holds escapes.
func parseValue(raw string) gjson.Result {
	if raw == "" {
		return gjson.Result{}
	}
	return gjson.Parse(raw)
}

func kindOf(v gjson.Result) kind {
	switch v.Type {
	case gjson.Null:
		if v.Raw == "" {
			return kindMissing
		}
		return kindNull
	case gjson.False, gjson.True:
		return kindBool
	case gjson.Number:
		return kindNumber
	case gjson.String:
		return kindString
	}
	if v.Raw != "" && v.Raw[0] == '[' {
		return kindArray
	}
	return kindObject
}

// equal reports MongoDB equality of two values: same type bracket, numbers
// by value, arrays element by element, objects field by field. ordered
// says whether the objects' key order counts (it does for requirements
// given as JSON text; see New).
func equal(a, b gjson.Result, ordered bool) bool {
	ka := kindOf(a)
	if ka != kindOf(b) {
		return false
	}
	switch ka {
	case kindNumber:
		return compareNumbers(a, b) == 0
	case kindString:
		return a.Str == b.Str
	case kindBool:
		return a.Type == b.Type
	case kindArray:
		return equalArrays(a.Raw, b.Raw, ordered)
	case kindObject:
		if ordered {
			return compareObjects(a.Raw, b.Raw) == 0
		}
		return equalObjectsUnordered(a.Raw, b.Raw)
	}
	return true // both null
}

func equalArrays(a, b string, ordered bool) bool {
	ia, ib := newArrayIter(a, 0, 1), newArrayIter(b, 0, 1)
	for {
		ea, moreA := ia.next()
		eb, moreB := ib.next()
		if moreA != moreB {
			return false
		}
		if !moreA {
			return true
		}
		if !equal(parseValue(ea), parseValue(eb), ordered) {
			return false
		}
	}
}

// equalObjectsUnordered compares objects as sets of fields, for documents
// built from Go maps, which have no key order.
func equalObjectsUnordered(a, b string) bool {
	if countMembers(a) != countMembers(b) {
		return false
	}
	it := newObjectIter(a, 0, 1)
	for {
		key, esc, va, more := it.next()
		if !more {
			return true
		}
		vb, found := lookup(b, unescapeKey(key, esc))
		if !found || !equal(parseValue(va), vb, false) {
			return false
		}
	}
}

func countMembers(obj string) int {
	n := 0
	for it := newObjectIter(obj, 0, 1); ; n++ {
		if _, _, _, more := it.next(); !more {
			return n
		}
	}
}

// unescapeKey returns a key's text without JSON escapes.
func unescapeKey(key string, escaped bool) string {
	if !escaped {
		return key
	}
	return gjson.Parse(`"` + key + `"`).Str
}

// lookup finds the first member named key in the object obj.
func lookup(obj, key string) (gjson.Result, bool) {
	it := newObjectIter(obj, 0, 1)
	for {
		k, esc, v, more := it.next()
		if !more {
			return gjson.Result{}, false
		}
		if unescapeKey(k, esc) == key {
			return parseValue(v), true
		}
	}
}
