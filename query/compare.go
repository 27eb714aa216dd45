package query

import (
	"cmp"
	"strings"

	"github.com/tidwall/gjson"
)

// compareValues orders two values for $gt, $gte, $lt and $lte. ok is false
// when they are in different type brackets (a number and a string, say):
// such values never satisfy a comparison, as in MongoDB.
func compareValues(a, b gjson.Result) (c int, ok bool) {
	k := kindOf(a)
	if k != kindOf(b) {
		return 0, false
	}
	return compareSameKind(a, b, k), true
}

func compareSameKind(a, b gjson.Result, k kind) int {
	switch k {
	case kindNumber:
		return compareNumbers(a, b)
	case kindString:
		return strings.Compare(a.Str, b.Str)
	case kindBool:
		return cmp.Compare(boolRank(a), boolRank(b))
	case kindArray:
		return compareArrays(a.Raw, b.Raw)
	case kindObject:
		return compareObjects(a.Raw, b.Raw)
	}
	return 0 // null
}

func boolRank(v gjson.Result) int {
	if v.Type == gjson.True {
		return 1
	}
	return 0
}

// compareAny is the total order of MongoDB's BSON comparison, used inside
// arrays and objects: first by type bracket, then by value.
func compareAny(a, b gjson.Result) int {
	ka, kb := kindOf(a), kindOf(b)
	if ka != kb {
		return cmp.Compare(ka.sortOrder(), kb.sortOrder())
	}
	return compareSameKind(a, b, ka)
}

// compareArrays compares element by element; a prefix sorts first.
func compareArrays(a, b string) int {
	ia, ib := newArrayIter(a, 0, 1), newArrayIter(b, 0, 1)
	for {
		ea, moreA := ia.next()
		eb, moreB := ib.next()
		if c, ended := shorterFirst(moreA, moreB); ended {
			return c
		}
		if c := compareAny(parseValue(ea), parseValue(eb)); c != 0 {
			return c
		}
	}
}

// compareObjects compares member by member: the values' type brackets,
// then the keys, then the values, as BSON documents compare.
func compareObjects(a, b string) int {
	ia, ib := newObjectIter(a, 0, 1), newObjectIter(b, 0, 1)
	for {
		ka, escA, va, moreA := ia.next()
		kb, escB, vb, moreB := ib.next()
		if c, ended := shorterFirst(moreA, moreB); ended {
			return c
		}
		if c := compareMembers(ka, escA, parseValue(va), kb, escB, parseValue(vb)); c != 0 {
			return c
		}
	}
}

func compareMembers(ka string, escA bool, va gjson.Result, kb string, escB bool, vb gjson.Result) int {
	if c := cmp.Compare(kindOf(va).sortOrder(), kindOf(vb).sortOrder()); c != 0 {
		return c
	}
	if c := strings.Compare(unescapeKey(ka, escA), unescapeKey(kb, escB)); c != 0 {
		return c
	}
	return compareAny(va, vb)
}

// shorterFirst orders two sequences when one or both have ended: the
// shorter one first.
func shorterFirst(moreA, moreB bool) (c int, ended bool) {
	switch {
	case !moreA && !moreB:
		return 0, true
	case !moreA:
		return -1, true
	case !moreB:
		return 1, true
	}
	return 0, false
}
