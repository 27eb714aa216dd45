package query

import (
	"encoding/json"
	"strings"
	"unsafe"
)

// Query is compiled requirements. It is immutable and safe for concurrent
// use by multiple goroutines. A nil *Query is not a valid Query.
type Query struct {
	clauses []clause
	root    *docMatcher
}

func newQuery(clauses []clause) *Query {
	return &Query{clauses: clauses, root: newDocMatcher(clauses)}
}

// Parse compiles requirements given as text: a JSON object (text that
// starts with "{" after trimming spaces; its key order is kept) or the
// short form "os=android&online=true&network.ip=10.0.0.1". An empty string
// is the empty query, which matches every resource. Every error is an
// *Error.
func Parse(s string) (*Query, error) {
	t := strings.TrimSpace(s)
	var clauses []clause
	var err error
	switch {
	case t == "":
	case t[0] == '{' || t[0] == '[':
		clauses, err = compiler{ordered: true}.compileJSON(t)
	default:
		clauses, err = parseShort(t)
	}
	if err != nil {
		return nil, err
	}
	return newQuery(clauses), nil
}

// MustParse is like Parse but panics if the requirements do not compile.
// It simplifies safe initialization of queries given as literals.
func MustParse(s string) *Query {
	q, err := Parse(s)
	if err != nil {
		panic("query: MustParse(" + quote(s) + "): " + err.Error())
	}
	return q
}

// New compiles requirements built in Go, with the values JSON would give
// (strings, numbers, bools, nil, []any, map[string]any; anything
// encoding/json can encode). A nil or empty map is the empty query.
//
// A Go map has no key order, so document equality in queries built with New
// ($eq, $ne, $in, $nin, $all with object values) ignores key order: two
// objects are equal when they have the same keys with equal values.
// Comparisons of objects ($gt and the like) take the keys in sorted order,
// as encoding/json writes them. Every error is an *Error.
func New(doc map[string]any) (*Query, error) {
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, &Error{Reason: "cannot encode the document as JSON", Err: err}
	}
	if string(text) == "null" {
		return newQuery(nil), nil
	}
	clauses, err := compiler{ordered: false}.compileJSON(string(text))
	if err != nil {
		return nil, err
	}
	return newQuery(clauses), nil
}

// Match reports whether the resource, one JSON object as text, meets the
// requirements. Text that is not a valid JSON object never matches. Match
// does not decode the resource into Go values and, for queries made of
// equality, comparisons, $in, $exists and array-element equality, does
// not allocate.
func (q *Query) Match(resource string) bool {
	i := skipSpace(resource, 0)
	if i >= len(resource) || resource[i] != '{' {
		return false
	}
	ok, end := q.root.matchAt(resource, i)
	return ok && skipSpace(resource, end) == len(resource)
}

// MatchBytes is like Match for a resource held as bytes. It neither copies
// nor keeps them.
func (q *Query) MatchBytes(resource []byte) bool {
	return q.Match(unsafe.String(unsafe.SliceData(resource), len(resource)))
}

// With returns the query with the default condition field = value added,
// unless the query already names that field at its top level: then it is
// returned unchanged, or, if a condition on the field is null
// ({"online": null}), without that condition. This is how defaults such as
// hostname and online are added, and how requirements remove them. value is
// a Go value as for New (a string, a bool, a map of operators, ...).
//
// With panics if field is not a field path or value does not compile as a
// condition: both are mistakes in the calling code, not in requirements.
func (q *Query) With(field string, value any) *Query {
	if strings.HasPrefix(field, "$") {
		panic("query: With(" + quote(field) + "): not a field path")
	}
	if kept, named := q.withoutNull(field); named {
		return kept
	}
	text, err := json.Marshal(value)
	if err != nil {
		panic("query: With(" + quote(field) + "): cannot encode the value as JSON: " + err.Error())
	}
	cl, err := compiler{ordered: false}.clause(field, string(text), "")
	if err != nil {
		panic("query: With(" + quote(field) + "): " + err.Error())
	}
	return newQuery(append(q.clauses[:len(q.clauses):len(q.clauses)], cl))
}

// withoutNull looks for top-level conditions on field. named reports any;
// kept is q without those that are null (q itself when there are none).
func (q *Query) withoutNull(field string) (kept *Query, named bool) {
	var rest []clause
	nulls := 0
	for _, c := range q.clauses {
		switch {
		case c.key != field:
			rest = append(rest, c)
		case c.raw == "null":
			named = true
			nulls++
		default:
			named = true
			rest = append(rest, c)
		}
	}
	if nulls == 0 {
		return q, named
	}
	return newQuery(rest), named
}

// And returns a query that holds when both q and other hold, as core uses
// it to add extra conditions. A field either names at its top level counts
// as named for a later With. A nil or empty other returns q.
func (q *Query) And(other *Query) *Query {
	switch {
	case other == nil || len(other.clauses) == 0:
		return q
	case len(q.clauses) == 0:
		return other
	}
	clauses := make([]clause, 0, len(q.clauses)+len(other.clauses))
	clauses = append(append(clauses, q.clauses...), other.clauses...)
	return newQuery(clauses)
}

// String returns the query as compact JSON in the order it was given (for
// the short form, the equivalent JSON). When And has joined queries that
// name the same field, it is an $and of the conditions, one per element.
// Parse(q.String()) compiles to an equivalent query, except that documents
// that came from Go values (New, With) then compare with their keys in
// sorted order.
func (q *Query) String() string {
	if q.repeatsKey() {
		return string(q.appendAnd(nil))
	}
	return string(appendClauses(nil, q.clauses))
}

func (q *Query) repeatsKey() bool {
	var keys keySet
	for _, c := range q.clauses {
		if keys.repeated(c.key) {
			return true
		}
	}
	return false
}

func (q *Query) appendAnd(dst []byte) []byte {
	dst = append(dst, `{"$and":[`...)
	for i := range q.clauses {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendClauses(dst, q.clauses[i:i+1])
	}
	return append(dst, "]}"...)
}

func appendClauses(dst []byte, clauses []clause) []byte {
	dst = append(dst, '{')
	for i, c := range clauses {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, c.key)
		dst = append(dst, ':')
		dst = appendCanonical(dst, c.raw)
	}
	return append(dst, '}')
}
