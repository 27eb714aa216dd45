package query

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Mismatch is one top-level condition a resource fails.
type Mismatch struct {
	// Field is the condition's top-level key: a field path ("ram_gb",
	// "network.ip") or a logical operator ("$or"). It is empty when the
	// resource is not a JSON object at all.
	Field string
	// Condition is the condition as canonical JSON: {"$gte":8}, "android".
	Condition string
	// Actual is the resource's value at Field as canonical JSON, or "" when
	// the field is missing (or Field is an operator). A path through arrays
	// that reaches several values gives them as a JSON array.
	Actual string
}

// String describes the mismatch for people:
//
//	ram_gb: want {"$gte":8}, have 6
//	os: want "android", missing
//	$or: want one of [{"os":"ios"},{"ram_gb":{"$gte":8}}]
func (m Mismatch) String() string {
	switch {
	case m.Field == "":
		return "resource is not a JSON object"
	case m.Field == "$and":
		return m.Field + ": want all of " + m.Condition
	case m.Field == "$or":
		return m.Field + ": want one of " + m.Condition
	case m.Field == "$nor":
		return m.Field + ": want none of " + m.Condition
	case m.Actual == "":
		return m.Field + ": want " + m.Condition + ", missing"
	}
	return m.Field + ": want " + m.Condition + ", have " + m.Actual
}

// Explain returns the top-level conditions the resource fails, in query
// order; it is empty exactly when Match is true. A resource that is not a
// valid JSON object gives one Mismatch with an empty Field. Explain is for
// messages; it is much slower than Match.
func (q *Query) Explain(resource string) []Mismatch {
	if !isJSONObject(resource) {
		return []Mismatch{{}}
	}
	obj := strings.TrimSpace(resource)
	var out []Mismatch
	for i := range q.clauses {
		c := &q.clauses[i]
		if m, failed := explainClause(obj, c); failed {
			out = append(out, m)
		}
	}
	return out
}

// explainClause judges one clause against the object obj, already known
// to be valid; it reports the mismatch when the clause fails.
func explainClause(obj string, c *clause) (Mismatch, bool) {
	m := Mismatch{Field: c.key, Condition: string(appendCanonical(nil, c.raw))}
	switch {
	case c.logic != nil:
		return m, !c.logic.matchDoc(obj)
	case c.cond != nil:
		v, found := lookup(obj, c.first)
		if c.cond.match(v, found, c.rest) {
			return m, false
		}
		m.Actual = actual(v, found, c.rest)
		return m, true
	}
	return m, false // $comment
}

func isJSONObject(s string) bool {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	end, ok := skipValue(s, i, 0)
	return ok && skipSpace(s, end) == len(s)
}

// actual renders what a path reaches from first, the value at its first
// step (missing unless ok).
func actual(first gjson.Result, ok bool, rest []step) string {
	if !ok {
		return ""
	}
	var found []string
	collect(first, rest, &found)
	switch len(found) {
	case 0:
		return ""
	case 1:
		return string(appendCanonical(nil, found[0]))
	}
	return string(appendCanonical(nil, "["+strings.Join(found, ",")+"]"))
}

// collect gathers the raw values a path reaches, with the traversal rules
// of matching.
func collect(v gjson.Result, rest []step, found *[]string) {
	switch {
	case len(rest) == 0:
		*found = append(*found, v.Raw)
	case v.IsObject():
		if child, ok := lookup(v.Raw, rest[0].name); ok {
			collect(child, rest[1:], found)
		}
	case v.IsArray():
		it := newArrayIter(v.Raw, 0, 1)
		for i := 0; ; i++ {
			e, more := it.next()
			if !more {
				return
			}
			if i == rest[0].index {
				collect(parseValue(e), rest[1:], found)
			}
			if e[0] == '{' {
				collect(parseValue(e), rest, found)
			}
		}
	}
}
