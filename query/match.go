package query

import (
	"github.com/tidwall/gjson"
)

// A compiled query is a tree of matchers:
//   - docMatcher: a query document, the conjunction of its clauses, run over
//     one JSON object (the resource, an $elemMatch element, a partial match);
//   - cond: a condition on one field, run over the value(s) its path reaches;
//   - pred: a test of one value ($eq, $gt, $regex, ...).

// pred tests one value as it is: no path traversal, no implicit array
// matching (cond adds those).
type pred interface {
	value(v gjson.Result) bool
	missing() bool // whether a missing field passes
}

// cond is a compiled condition on one field.
type cond interface {
	// match reports whether the condition holds, given the value v at the
	// path's first step (found is false when the field is missing) and the
	// remaining steps.
	match(v gjson.Result, found bool, rest []step) bool
	// matchOne reports whether it holds for v itself, as $elemMatch's
	// operator form applies conditions to each element.
	matchOne(v gjson.Result) bool
}

// atom is the existential core of MongoDB's semantics: it holds when any
// value the path reaches (or "missing", when it reaches none) passes its
// pred; with expand, an array also passes when one of its elements does.
type atom struct {
	p      pred
	expand bool
}

func (a *atom) matchOne(v gjson.Result) bool { return a.p.value(v) }

func (a *atom) match(v gjson.Result, found bool, rest []step) bool {
	switch {
	case !found:
		return a.p.missing()
	case len(rest) == 0:
		return a.leaf(v)
	case v.IsObject():
		child, ok := lookup(v.Raw, rest[0].name)
		return a.match(child, ok, rest[1:])
	case v.IsArray():
		return a.throughArray(v.Raw, rest)
	}
	return a.p.missing()
}

// throughArray applies the path step rest[0] to an array: a numeric step
// indexes it, and every element that is an object is searched for the
// step's field (both can hold at once). An array that yields nothing makes
// the field missing.
func (a *atom) throughArray(arr string, rest []step) bool {
	produced := false
	it := newArrayIter(arr, 0, 1)
	for i := 0; ; i++ {
		e, more := it.next()
		if !more {
			return !produced && a.p.missing()
		}
		if i == rest[0].index {
			produced = true
			if a.match(parseValue(e), true, rest[1:]) {
				return true
			}
		}
		if e[0] == '{' {
			produced = true
			if a.match(parseValue(e), true, rest) {
				return true
			}
		}
	}
}

func (a *atom) leaf(v gjson.Result) bool {
	if a.p.value(v) {
		return true
	}
	if !a.expand || !v.IsArray() {
		return false
	}
	return anyElement(v.Raw, a.p.value)
}

// anyElement reports whether test holds for an element of the array arr.
func anyElement(arr string, test func(gjson.Result) bool) bool {
	it := newArrayIter(arr, 0, 1)
	for {
		e, more := it.next()
		if !more {
			return false
		}
		if test(parseValue(e)) {
			return true
		}
	}
}

// notCond negates a condition as a whole ($ne, $nin, $not, $exists: false):
// MongoDB negates "some value matches", so {"a": {"$ne": 1}} fails on
// {"a": [1, 2]}.
type notCond struct{ c cond }

func (n notCond) match(v gjson.Result, found bool, rest []step) bool {
	return !n.c.match(v, found, rest)
}

func (n notCond) matchOne(v gjson.Result) bool { return !n.c.matchOne(v) }

// allCond is the conjunction of an operator object's operators; each is
// evaluated on its own, as in MongoDB ({"$gt": 1, "$lt": 5} holds for
// [0, 10]; $elemMatch asks for one element passing both).
type allCond []cond

func (all allCond) match(v gjson.Result, found bool, rest []step) bool {
	for _, c := range all {
		if !c.match(v, found, rest) {
			return false
		}
	}
	return true
}

func (all allCond) matchOne(v gjson.Result) bool {
	for _, c := range all {
		if !c.matchOne(v) {
			return false
		}
	}
	return true
}

// fieldCond is a condition on a path, less its first step, which the
// docMatcher resolves while scanning the object.
type fieldCond struct {
	rest []step
	c    cond
}

// fieldGroup gathers the conditions whose paths start at one field.
type fieldGroup struct {
	name  string
	conds []fieldCond
}

func (g *fieldGroup) match(v gjson.Result, found bool) bool {
	for _, fc := range g.conds {
		if !fc.c.match(v, found, fc.rest) {
			return false
		}
	}
	return true
}

// docPred is a logical clause ($and, $or, $nor) over a whole object.
type docPred interface {
	matchDoc(obj string) bool
}

// docMatcher matches a query document against an object in one pass over
// the object's members: each member's value goes to the conditions on that
// field; fields the object lacks are then checked as missing, and logical
// clauses last.
type docMatcher struct {
	groups []fieldGroup
	index  map[string]int // group by name, when there are many
	logic  []docPred
}

// manyGroups is where looking groups up in a map beats a linear scan.
const manyGroups = 8

func newDocMatcher(clauses []clause) *docMatcher {
	d := &docMatcher{}
	for i := range clauses {
		d.add(&clauses[i])
	}
	if len(d.groups) > manyGroups {
		d.index = make(map[string]int, len(d.groups))
		for g := range d.groups {
			d.index[d.groups[g].name] = g
		}
	}
	return d
}

func (d *docMatcher) add(c *clause) {
	switch {
	case c.logic != nil:
		d.logic = append(d.logic, c.logic)
	case c.cond != nil:
		g := d.linearGroup(c.first)
		if g < 0 {
			g = len(d.groups)
			d.groups = append(d.groups, fieldGroup{name: c.first})
		}
		d.groups[g].conds = append(d.groups[g].conds, fieldCond{rest: c.rest, c: c.cond})
	}
}

func (d *docMatcher) linearGroup(name string) int {
	for g := range d.groups {
		if d.groups[g].name == name {
			return g
		}
	}
	return -1
}

func (d *docMatcher) group(key string, escaped bool) int {
	key = unescapeKey(key, escaped)
	if d.index == nil {
		return d.linearGroup(key)
	}
	if g, ok := d.index[key]; ok {
		return g
	}
	return -1
}

// matchDoc matches the valid JSON object obj.
func (d *docMatcher) matchDoc(obj string) bool {
	ok, _ := d.matchAt(obj, 0)
	return ok
}

// matchAt matches the object whose opening brace is s[i], validating it on
// the way. It returns true and the offset just past the object only when
// the object is valid JSON and matches; on a mismatch it may stop early.
func (d *docMatcher) matchAt(s string, i int) (bool, int) {
	var seenBuf [4]uint64
	seen := seenBuf[:]
	if n := (len(d.groups) + 63) / 64; n > len(seenBuf) {
		seen = make([]uint64, n)
	}
	it := newObjectIter(s, i, 1)
	for {
		key, esc, raw, more := it.next()
		if !more {
			break
		}
		g := d.group(key, esc)
		if g < 0 || seen[g/64]&(1<<(g%64)) != 0 {
			continue // not queried, or a repeated key: the first one counts
		}
		seen[g/64] |= 1 << (g % 64)
		if !d.groups[g].match(parseValue(raw), true) {
			return false, 0
		}
	}
	if !it.ok {
		return false, 0
	}
	for g := range d.groups {
		if seen[g/64]&(1<<(g%64)) == 0 && !d.groups[g].match(gjson.Result{}, false) {
			return false, 0
		}
	}
	for _, l := range d.logic {
		if !l.matchDoc(s[i:it.end]) {
			return false, 0
		}
	}
	return true, it.end
}

type andPred []*docMatcher

func (ds andPred) matchDoc(obj string) bool {
	for _, d := range ds {
		if !d.matchDoc(obj) {
			return false
		}
	}
	return true
}

type orPred []*docMatcher

func (ds orPred) matchDoc(obj string) bool {
	for _, d := range ds {
		if d.matchDoc(obj) {
			return true
		}
	}
	return false
}

type norPred []*docMatcher

func (ds norPred) matchDoc(obj string) bool { return !orPred(ds).matchDoc(obj) }
