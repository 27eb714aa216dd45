package query

import (
	"regexp"

	"github.com/tidwall/gjson"
)

// eqPred is equality with a literal ($eq, and a field given a plain value).
type eqPred struct {
	lit     gjson.Result
	ordered bool
}

func (p *eqPred) value(v gjson.Result) bool {
	if p.lit.Type == gjson.String { // the common case, kept short
		return v.Type == gjson.String && v.Str == p.lit.Str
	}
	return equal(v, p.lit, p.ordered)
}

// missing: {"a": null} matches a missing a.
func (p *eqPred) missing() bool { return p.lit.Type == gjson.Null }

type cmpOp uint8

const (
	opGT cmpOp = iota
	opGTE
	opLT
	opLTE
)

// cmpPred is $gt, $gte, $lt or $lte: only values of the literal's type
// bracket compare.
type cmpPred struct {
	op  cmpOp
	lit gjson.Result
}

func (p *cmpPred) value(v gjson.Result) bool {
	c, ok := compareValues(v, p.lit)
	if !ok {
		return false
	}
	switch p.op {
	case opGT:
		return c > 0
	case opGTE:
		return c >= 0
	case opLT:
		return c < 0
	}
	return c <= 0
}

// missing: $gte and $lte null match a missing field, as null equality does.
func (p *cmpPred) missing() bool {
	return p.lit.Type == gjson.Null && (p.op == opGTE || p.op == opLTE)
}

// inPred is $in: equality with any literal, or a match of any regex.
type inPred struct {
	lits    []gjson.Result
	res     []*regexp.Regexp
	ordered bool
	null    bool // a null literal: a missing field matches
}

func (p *inPred) value(v gjson.Result) bool {
	for i := range p.lits {
		if equal(v, p.lits[i], p.ordered) {
			return true
		}
	}
	if v.Type != gjson.String {
		return false
	}
	for _, re := range p.res {
		if re.MatchString(v.Str) {
			return true
		}
	}
	return false
}

func (p *inPred) missing() bool { return p.null }

// regexPred is $regex: it matches strings only.
type regexPred struct{ re *regexp.Regexp }

func (p regexPred) value(v gjson.Result) bool {
	return v.Type == gjson.String && p.re.MatchString(v.Str)
}

func (regexPred) missing() bool { return false }

// modPred is $mod: numbers, truncated toward zero, as MongoDB does.
type modPred struct{ divisor, remainder int64 }

func (p modPred) value(v gjson.Result) bool {
	if v.Type != gjson.Number {
		return false
	}
	n, ok := truncInt(v)
	return ok && n%p.divisor == p.remainder
}

func (modPred) missing() bool { return false }

// typePred is $type, over a set of BSON types.
type typePred struct{ types typeSet }

func (p typePred) value(v gjson.Result) bool { return p.types.has(typeOf(v)) }

func (typePred) missing() bool { return false }

// sizePred is $size: arrays of exactly that many elements.
type sizePred struct{ n int64 }

func (p sizePred) value(v gjson.Result) bool {
	if !v.IsArray() {
		return false
	}
	var n int64
	for it := newArrayIter(v.Raw, 0, 1); ; n++ {
		if _, more := it.next(); !more {
			return n == p.n
		}
	}
}

func (sizePred) missing() bool { return false }

// existsPred is $exists: true.
type existsPred struct{}

func (existsPred) value(gjson.Result) bool { return true }

func (existsPred) missing() bool { return false }

// constPred always answers the same ($all with no members matches nothing).
type constPred bool

func (p constPred) value(gjson.Result) bool { return bool(p) }

func (p constPred) missing() bool { return bool(p) }

// elemOpsPred is $elemMatch's operator form: an element passing every
// operator ({"$elemMatch": {"$gte": 80, "$lt": 85}}).
type elemOpsPred struct{ c cond }

func (p elemOpsPred) value(v gjson.Result) bool {
	return v.IsArray() && anyElement(v.Raw, p.c.matchOne)
}

func (elemOpsPred) missing() bool { return false }

// elemDocPred is $elemMatch's query form: an element that is an object
// matching the query document.
type elemDocPred struct{ d *docMatcher }

func (p elemDocPred) value(v gjson.Result) bool {
	return v.IsArray() && anyElement(v.Raw, p.objectMatches)
}

func (p elemDocPred) objectMatches(e gjson.Result) bool {
	return e.IsObject() && p.d.matchDoc(e.Raw)
}

func (elemDocPred) missing() bool { return false }

// partialPred is the operator-free object condition: the value is an object
// in which each given field matches (extra fields allowed, any order).
type partialPred struct{ d *docMatcher }

func (p partialPred) value(v gjson.Result) bool { return v.IsObject() && p.d.matchDoc(v.Raw) }

func (partialPred) missing() bool { return false }
