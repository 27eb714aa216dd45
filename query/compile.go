package query

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// clause is one member of a query document: a condition on a field, a
// logical operator ($and, $or, $nor) or a $comment.
type clause struct {
	key   string // as written: a field path or an operator
	raw   string // the condition's JSON text, as given
	first string // the path's first step (field clauses)
	rest  []step // the path's other steps
	cond  cond   // field clauses
	logic docPred
}

// compiler turns validated JSON text into matchers. ordered says whether
// object key order counts in document equality: it does for JSON text, not
// for documents built from Go maps (New, With).
type compiler struct {
	ordered bool
}

// compileJSON compiles requirements given as JSON text.
func (c compiler) compileJSON(text string) ([]clause, error) {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return nil, errorf("", "", "requirements must be a JSON object or key=value pairs joined by &")
	}
	end, ok := skipValue(text, i, 0)
	if ok && skipSpace(text, end) != len(text) {
		return nil, errorf("", "", fmt.Sprintf("unexpected text after the JSON object at offset %d", skipSpace(text, end)))
	}
	if !ok {
		return nil, syntaxError(text, end)
	}
	return c.document(text[i:end], "")
}

// syntaxError describes invalid JSON, with encoding/json's explanation when
// it has one.
func syntaxError(text string, offset int) *Error {
	e := errorf("", "", fmt.Sprintf("not valid JSON (near offset %d)", offset))
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		e.Err = err
	} else {
		e.Reason = fmt.Sprintf("JSON nested more than %d levels deep", maxDepth)
	}
	return e
}

// document compiles a query document: the object obj, found at the
// location at.
func (c compiler) document(obj, at string) ([]clause, error) {
	var clauses []clause
	var keys keySet
	it := newObjectIter(obj, 0, 1)
	for {
		k, esc, raw, more := it.next()
		if !more {
			return clauses, nil
		}
		key := unescapeKey(k, esc)
		if keys.repeated(key) {
			return nil, errorf(joinPath(at, key), "", "key given twice in one object: combine the conditions in one object, or use $and")
		}
		cl, err := c.clause(key, raw, at)
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, cl)
	}
}

func (c compiler) clause(key, raw, at string) (clause, error) {
	switch key {
	case "$and", "$or", "$nor":
		logic, err := c.logical(key, raw, at)
		return clause{key: key, raw: raw, logic: logic}, err
	case "$comment":
		return clause{key: key, raw: raw}, nil
	}
	if strings.HasPrefix(key, "$") {
		return clause{}, errorf(at, key, "unknown top-level operator (top level takes fields, $and, $or, $nor and $comment; other operators go inside a field's object)")
	}
	steps, reason := parsePath(key)
	if reason != "" {
		return clause{}, errorf(joinPath(at, key), "", reason)
	}
	cd, err := c.fieldValue(joinPath(at, key), raw)
	if err != nil {
		return clause{}, err
	}
	return clause{key: key, raw: raw, first: steps[0].name, rest: steps[1:], cond: cd}, nil
}

// logical compiles $and, $or and $nor: a non-empty array of query documents.
func (c compiler) logical(op, raw, at string) (docPred, error) {
	if raw[0] != '[' {
		return nil, errorf(at, op, `wants an array of query objects, e.g. [{"os": "android"}, {"os": "ios"}]`)
	}
	var docs []*docMatcher
	it := newArrayIter(raw, 0, 1)
	for i := 0; ; i++ {
		e, more := it.next()
		if !more {
			break
		}
		where := joinPath(joinPath(at, op), strconv.Itoa(i))
		if e[0] != '{' {
			return nil, errorf(where, op, "each element must be a query object")
		}
		clauses, err := c.document(e, where)
		if err != nil {
			return nil, err
		}
		docs = append(docs, newDocMatcher(clauses))
	}
	if len(docs) == 0 {
		return nil, errorf(at, op, "wants at least one query object")
	}
	switch op {
	case "$and":
		return andPred(docs), nil
	case "$or":
		return orPred(docs), nil
	}
	return norPred(docs), nil
}

// fieldValue compiles a field's condition: an operator object, an
// operator-free object (a partial match), or a value to equal.
func (c compiler) fieldValue(path, raw string) (cond, error) {
	if raw[0] != '{' {
		return &atom{p: &eqPred{lit: parseValue(raw), ordered: c.ordered}, expand: true}, nil
	}
	switch objectForm(raw) {
	case formOperators:
		return c.operators(path, raw)
	case formMixed:
		return nil, errorf(path, "", "mixes operators ($...) and field names in one object: give them as separate conditions, or use $elemMatch")
	}
	clauses, err := c.document(raw, path)
	if err != nil {
		return nil, err
	}
	return &atom{p: partialPred{newDocMatcher(clauses)}, expand: true}, nil
}

type form uint8

const (
	formFields    form = iota // no key starts with $ (also the empty object)
	formOperators             // every key starts with $
	formMixed
)

func objectForm(obj string) form {
	ops, fields := 0, 0
	it := newObjectIter(obj, 0, 1)
	for {
		k, esc, _, more := it.next()
		switch {
		case !more && ops > 0 && fields > 0:
			return formMixed
		case !more && ops > 0:
			return formOperators
		case !more:
			return formFields
		case strings.HasPrefix(unescapeKey(k, esc), "$"):
			ops++
		default:
			fields++
		}
	}
}

// keySet finds repeated keys in one object.
type keySet struct {
	list []string
	set  map[string]bool
}

func (s *keySet) repeated(key string) bool {
	if s.set != nil {
		if s.set[key] {
			return true
		}
		s.set[key] = true
		return false
	}
	for _, k := range s.list {
		if k == key {
			return true
		}
	}
	s.list = append(s.list, key)
	if len(s.list) > manyGroups {
		s.set = make(map[string]bool, 2*len(s.list))
		for _, k := range s.list {
			s.set[k] = true
		}
	}
	return false
}
