package provider

import (
	"fmt"

	"github.com/tidwall/gjson"
)

// Validate parses and validates a resources list: a JSON array of objects,
// each with a unique, safe "id" (a string or a number). name is the file
// path or URL the data came from; errors name it.
//
// On success it returns one Resource per element, in order; an empty list
// gives an empty slice. The resources refer to one copy of data, made
// here, so data may be reused afterwards.
//
// On failure it returns a *ValidationError (which matches ErrInvalid)
// listing every problem found, each with the array index, the line:column
// of the element and the id involved, and no resources.
func Validate(name string, data []byte) ([]Resource, error) {
	return validate(name, string(data), true)
}

// parsed is a resources list's text and what validating it gave.
type parsed struct {
	text      string
	resources []Resource
	err       error
	filled    bool // the text was validated
}

// next returns what text gives: p itself when the text is the same as
// before, so that an unchanged list keeps its slice (the Source contract),
// and the text validated otherwise.
func (p parsed) next(name, text string) parsed {
	if p.filled && text == p.text {
		return p
	}
	res, err := validate(name, text, true)
	return parsed{text: text, resources: res, err: err, filled: true}
}

// result is what a source returns for p: the resources and the text, or
// the error and no text.
func (p parsed) result() ([]Resource, string, error) {
	if p.err != nil {
		return nil, "", p.err
	}
	return p.resources, trimBOM(p.text), nil
}

// validate checks text; positions says whether to report line:column (a
// List has no text of its own to point into).
func validate(name, text string, positions bool) ([]Resource, error) {
	v := &validator{text: trimBOM(text), positions: positions, seen: map[string]firstSeen{}}
	v.repeats.s = v.text
	v.err.Source = name
	if !v.document() {
		return nil, &v.err
	}
	gjson.Parse(v.text).ForEach(func(key, elem gjson.Result) bool {
		v.element(int(key.Num), elem)
		return true
	})
	if len(v.err.Problems) > 0 {
		return nil, &v.err
	}
	if v.resources == nil {
		return []Resource{}, nil
	}
	return v.resources, nil
}

// firstSeen is where an id first appeared.
type firstSeen struct {
	index, offset int
}

// validator walks one list, collecting resources and problems.
type validator struct {
	text      string
	positions bool
	seen      map[string]firstSeen
	resources []Resource
	repeats   repeatWalker
	err       ValidationError
}

// document checks the list as a whole: JSON, not too deep, an array.
func (v *validator) document() bool {
	if msg, offset := documentProblem(v.text); msg != "" {
		v.problem(-1, offset, "", msg)
		return false
	}
	return true
}

// element checks one array element and keeps it when it is valid.
func (v *validator) element(index int, elem gjson.Result) {
	if !elem.IsObject() {
		v.problem(index, elem.Index, "", fmt.Sprintf("%s, not an object; each resource is a JSON object with an id", describe(elem)))
		return
	}
	id, msg := elementID(elem)
	if msg != "" {
		v.problem(index, elem.Index, id, msg)
		return
	}
	if first, dup := v.seen[id]; dup {
		v.duplicate(index, elem.Index, id, first)
		return
	}
	if d, ok := v.repeats.repeatedKey(elem.Index); ok {
		v.repeated(index, elem.Index, id, d)
		return
	}
	if msg := careProblem(elem, id); msg != "" {
		v.problem(index, elem.Index, id, msg)
		return
	}
	v.seen[id] = firstSeen{index, elem.Index}
	v.resources = append(v.resources, Resource{id: id, raw: compact(elem.Raw)})
}

// duplicate reports an id already used by an earlier element.
func (v *validator) duplicate(index, offset int, id string, first firstSeen) {
	where := fmt.Sprintf("[%d]", first.index)
	if v.positions && !v.err.full() {
		line, col := position(v.text, first.offset)
		where += fmt.Sprintf(" (%d:%d)", line, col)
	}
	v.problem(index, offset, id, fmt.Sprintf("duplicate id %s, first used at %s; ids must be unique", quoteID(id), where))
}

// repeated reports a key that appears twice in one object of a resource.
func (v *validator) repeated(index, offset int, id string, d repeat) {
	where := ""
	if v.positions && !v.err.full() {
		l1, c1 := position(v.text, d.first)
		l2, c2 := position(v.text, d.second)
		where = fmt.Sprintf(" (at %d:%d and %d:%d)", l1, c1, l2, c2)
	}
	v.problem(index, offset, id, fmt.Sprintf("the key %q appears twice in resource %s%s; the Python lockable would read the last, so which one counts is ambiguous: keep one", d.path, quoteID(id), where))
}

// problem records a problem at a byte offset of the text.
func (v *validator) problem(index, offset int, id, msg string) {
	p := Problem{Index: index, ID: id, Message: msg}
	if v.positions && !v.err.full() {
		p.Line, p.Column = position(v.text, offset)
	}
	v.err.add(p)
}
