package query

import (
	"math"
	"regexp"
	"strconv"

	"github.com/tidwall/gjson"
)

// operators compiles an operator object ({"$gte": 8, "$lt": 16}) on the
// field at path: the conjunction of its operators.
func (c compiler) operators(path, obj string) (cond, error) {
	rx := findRegexArgs(obj)
	var conds allCond
	var keys keySet
	it := newObjectIter(obj, 0, 1)
	for {
		k, esc, arg, more := it.next()
		if !more {
			break
		}
		op := unescapeKey(k, esc)
		if keys.repeated(op) {
			return nil, errorf(path, op, "operator given twice in one object")
		}
		cd, err := c.operator(path, op, arg, rx)
		if err != nil {
			return nil, err
		}
		if cd != nil {
			conds = append(conds, cd)
		}
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return conds, nil
}

// operator compiles one operator; nil for $options, which $regex consumes.
func (c compiler) operator(path, op, arg string, rx regexArgs) (cond, error) {
	v := parseValue(arg)
	switch op {
	case "$eq", "$ne":
		return c.equality(path, op, v)
	case "$gt", "$gte", "$lt", "$lte":
		return c.comparison(path, op, v)
	case "$in", "$nin":
		return c.in(path, op, v)
	case "$exists":
		return exists(path, op, v)
	case "$type":
		return typeCond(path, op, v)
	case "$regex":
		return regexCond(path, op, rx)
	case "$options":
		if !rx.pattern.Exists() {
			return nil, errorf(path, op, "needs $regex next to it")
		}
		return nil, nil
	case "$mod":
		return modCond(path, op, v)
	case "$all":
		return c.all(path, op, v)
	case "$size":
		return sizeCond(path, op, v)
	case "$elemMatch":
		return c.elemMatch(path, op, v)
	case "$not":
		return c.not(path, op, v)
	}
	return nil, errorf(path, op, "unknown operator (see the operator table in the package documentation)")
}

// literal checks a value given to an operator: an object whose keys are
// operators is almost surely a misplaced condition, not a value.
func literal(path, op string, v gjson.Result) (gjson.Result, error) {
	if v.IsObject() && objectForm(v.Raw) != formFields {
		return v, errorf(path, op, "wants a value, not an object of operators (to negate a condition use $not)")
	}
	return v, nil
}

func (c compiler) equality(path, op string, v gjson.Result) (cond, error) {
	lit, err := literal(path, op, v)
	if err != nil {
		return nil, err
	}
	a := &atom{p: &eqPred{lit: lit, ordered: c.ordered}, expand: true}
	if op == "$ne" {
		return notCond{a}, nil
	}
	return a, nil
}

func (c compiler) comparison(path, op string, v gjson.Result) (cond, error) {
	lit, err := literal(path, op, v)
	if err != nil {
		return nil, err
	}
	return &atom{p: &cmpPred{op: comparisonOp(op), lit: lit}, expand: true}, nil
}

func comparisonOp(op string) cmpOp {
	switch op {
	case "$gt":
		return opGT
	case "$gte":
		return opGTE
	case "$lt":
		return opLT
	}
	return opLTE
}

func (c compiler) in(path, op string, v gjson.Result) (cond, error) {
	if !v.IsArray() {
		return nil, errorf(path, op, `wants an array of values, e.g. ["android", "ios"]`)
	}
	p := &inPred{ordered: c.ordered}
	it := newArrayIter(v.Raw, 0, 1)
	for {
		e, more := it.next()
		if !more {
			break
		}
		if err := p.add(path, op, parseValue(e)); err != nil {
			return nil, err
		}
	}
	a := &atom{p: p, expand: true}
	if op == "$nin" {
		return notCond{a}, nil
	}
	return a, nil
}

func (p *inPred) add(path, op string, e gjson.Result) error {
	if e.IsObject() && objectForm(e.Raw) != formFields {
		re, err := regexObject(path, op, e.Raw)
		if err != nil {
			return err
		}
		p.res = append(p.res, re)
		return nil
	}
	p.lits = append(p.lits, e)
	p.null = p.null || e.Type == gjson.Null
	return nil
}

func exists(path, op string, v gjson.Result) (cond, error) {
	var want bool
	switch v.Type {
	case gjson.True, gjson.False:
		want = v.Type == gjson.True
	case gjson.Number:
		want = v.Num != 0
	default:
		return nil, errorf(path, op, "wants true or false")
	}
	a := &atom{p: existsPred{}}
	if !want {
		return notCond{a}, nil
	}
	return a, nil
}

func typeCond(path, op string, v gjson.Result) (cond, error) {
	var set typeSet
	if !v.IsArray() {
		s, err := oneType(path, op, v)
		return &atom{p: typePred{s}, expand: true}, err
	}
	it := newArrayIter(v.Raw, 0, 1)
	for {
		e, more := it.next()
		if !more {
			break
		}
		s, err := oneType(path, op, parseValue(e))
		if err != nil {
			return nil, err
		}
		set |= s
	}
	if set == 0 {
		return nil, errorf(path, op, "wants at least one type")
	}
	return &atom{p: typePred{set}, expand: true}, nil
}

const typeNames = "double, string, object, array, bool, null, int, long, decimal, number"

func oneType(path, op string, v gjson.Result) (typeSet, error) {
	switch v.Type {
	case gjson.String:
		if s, ok := typeByName(v.Str); ok {
			return s, nil
		}
		return 0, errorf(path, op, "unknown type "+quote(v.Str)+" (JSON values are one of: "+typeNames+")")
	case gjson.Number:
		if n, ok := wholeNumber(v); ok {
			if s, ok := typeByCode(n); ok {
				return s, nil
			}
		}
		return 0, errorf(path, op, "unknown type code "+v.Raw+" (use 1, 2, 3, 4, 8, 10, 16, 18 or 19)")
	}
	return 0, errorf(path, op, "wants a type name or code ("+typeNames+"), or an array of them")
}

// wholeNumber returns a number that has no fractional part as an int64.
func wholeNumber(v gjson.Result) (int64, bool) {
	if n, ok := intText(v.Raw); ok {
		return n, true
	}
	if v.Num != math.Trunc(v.Num) || math.Abs(v.Num) >= 1<<63 {
		return 0, false
	}
	return int64(v.Num), true
}

// regexArgs are the $regex and $options of one operator object, which
// belong together whatever their order.
type regexArgs struct {
	pattern, options gjson.Result // not Exists() when absent
}

func findRegexArgs(obj string) regexArgs {
	var rx regexArgs
	rx.pattern, _ = lookup(obj, "$regex")
	rx.options, _ = lookup(obj, "$options")
	return rx
}

func regexCond(path, op string, rx regexArgs) (cond, error) {
	re, err := rx.compile(path, op)
	if err != nil {
		return nil, err
	}
	return &atom{p: regexPred{re}, expand: true}, nil
}

func (rx regexArgs) compile(path, op string) (*regexp.Regexp, error) {
	if rx.pattern.Type != gjson.String {
		return nil, errorf(path, "$regex", "wants a string")
	}
	if rx.options.Exists() && rx.options.Type != gjson.String {
		return nil, errorf(path, "$options", `wants a string of option letters, e.g. "i"`)
	}
	re, reason, err := compileRegex(rx.pattern.Str, rx.options.Str)
	if reason != "" {
		return nil, &Error{Path: path, Operator: op, Reason: reason, Err: err}
	}
	return re, nil
}

// regexObject compiles {"$regex": ..., "$options": ...} given as a value
// (inside $in, $nin or $all).
func regexObject(path, op, obj string) (*regexp.Regexp, error) {
	it := newObjectIter(obj, 0, 1)
	for {
		k, esc, _, more := it.next()
		if !more {
			break
		}
		if key := unescapeKey(k, esc); key != "$regex" && key != "$options" {
			return nil, errorf(path, op, "takes values and regexes ({\"$regex\": ...}), not "+quote(key))
		}
	}
	rx := findRegexArgs(obj)
	if !rx.pattern.Exists() {
		return nil, errorf(path, op, "$options needs $regex next to it")
	}
	return rx.compile(path, op)
}

func modCond(path, op string, v gjson.Result) (cond, error) {
	const want = "wants [divisor, remainder], two numbers, e.g. [4, 0]"
	var args []int64
	if v.IsArray() {
		it := newArrayIter(v.Raw, 0, 1)
		for {
			e, more := it.next()
			if !more {
				break
			}
			ev := parseValue(e)
			n, ok := truncInt(ev)
			if !ok || ev.Type != gjson.Number || len(args) == 2 {
				return nil, errorf(path, op, want)
			}
			args = append(args, n)
		}
	}
	switch {
	case len(args) != 2:
		return nil, errorf(path, op, want)
	case args[0] == 0:
		return nil, errorf(path, op, "divisor is zero")
	}
	return &atom{p: modPred{divisor: args[0], remainder: args[1]}, expand: true}, nil
}

func sizeCond(path, op string, v gjson.Result) (cond, error) {
	n, ok := wholeNumber(v)
	if v.Type != gjson.Number || !ok || n < 0 {
		return nil, errorf(path, op, "wants a whole number of elements, 0 or more")
	}
	return &atom{p: sizePred{n}}, nil
}

// all compiles $all: each member holds on its own, as an equality (or a
// regex, or an $elemMatch); with no members nothing matches.
func (c compiler) all(path, op string, v gjson.Result) (cond, error) {
	if !v.IsArray() {
		return nil, errorf(path, op, `wants an array of values, e.g. ["usb", "5g"]`)
	}
	conds := allCond{}
	elemMatches := 0
	it := newArrayIter(v.Raw, 0, 1)
	for i := 0; ; i++ {
		e, more := it.next()
		if !more {
			break
		}
		cd, isElemMatch, err := c.allMember(joinPath(path, "$all."+strconv.Itoa(i)), parseValue(e))
		if err != nil {
			return nil, err
		}
		if isElemMatch {
			elemMatches++
		}
		conds = append(conds, cd)
	}
	switch {
	case len(conds) == 0:
		return &atom{p: constPred(false)}, nil
	case elemMatches > 0 && elemMatches < len(conds):
		return nil, errorf(path, op, "mixes $elemMatch members with values: use $elemMatch for all or none")
	}
	return conds, nil
}

func (c compiler) allMember(at string, e gjson.Result) (cd cond, isElemMatch bool, err error) {
	if !e.IsObject() || objectForm(e.Raw) == formFields {
		return &atom{p: &eqPred{lit: e, ordered: c.ordered}, expand: true}, false, nil
	}
	if m, ok := lookup(e.Raw, "$elemMatch"); ok && countMembers(e.Raw) == 1 {
		cd, err = c.elemMatch(at, "$elemMatch", m)
		return cd, true, err
	}
	re, err := regexObject(at, "$all", e.Raw)
	if err != nil {
		return nil, false, err
	}
	return &atom{p: regexPred{re}, expand: true}, false, nil
}

// elemMatch compiles both forms: operators applied to each element
// ({"$gte": 80, "$lt": 85}) or a query applied to each element that is an
// object ({"product": "xyz", "score": {"$gte": 8}}).
func (c compiler) elemMatch(path, op string, v gjson.Result) (cond, error) {
	if !v.IsObject() {
		return nil, errorf(path, op, `wants an object: operators ({"$gt": 1}) or a query ({"name": "x"})`)
	}
	if isElemQuery(v.Raw) {
		clauses, err := c.document(v.Raw, joinPath(path, op))
		if err != nil {
			return nil, err
		}
		return &atom{p: elemDocPred{newDocMatcher(clauses)}}, nil
	}
	inner, err := c.operators(joinPath(path, op), v.Raw)
	if err != nil {
		return nil, err
	}
	return &atom{p: elemOpsPred{inner}}, nil
}

// isElemQuery tells $elemMatch's query form: field names, a logical
// operator, or nothing at all.
func isElemQuery(obj string) bool {
	if objectForm(obj) != formOperators {
		return true
	}
	for _, op := range []string{"$and", "$or", "$nor"} {
		if _, ok := lookup(obj, op); ok {
			return true
		}
	}
	return false
}

func (c compiler) not(path, op string, v gjson.Result) (cond, error) {
	if !v.IsObject() || objectForm(v.Raw) != formOperators {
		return nil, errorf(path, op, `wants an object of operators, e.g. {"$gt": 5} or {"$regex": "^a"}; to negate a value use $ne`)
	}
	inner, err := c.operators(joinPath(path, op), v.Raw)
	if err != nil {
		return nil, err
	}
	return notCond{inner}, nil
}
