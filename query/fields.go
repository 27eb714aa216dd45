package query

import (
	"slices"
)

// Fields returns every field path the query names, at any depth: inside
// $and, $or, $nor and $not, and the fields of operator-free objects and of
// $elemMatch queries as "parent.child". Each appears once, in order of
// first appearance. It serves to spot names no resource has (typos).
func (q *Query) Fields() []string {
	var f fieldList
	for _, c := range q.clauses {
		f.clause(c.key, c.raw, "")
	}
	return f.names
}

// fieldList collects field paths from compiled (so valid) requirements.
type fieldList struct {
	names []string
}

func (f *fieldList) add(name string) {
	if !slices.Contains(f.names, name) {
		f.names = append(f.names, name)
	}
}

func (f *fieldList) clause(key, raw, prefix string) {
	switch key {
	case "$and", "$or", "$nor":
		it := newArrayIter(raw, 0, 1)
		for e, more := it.next(); more; e, more = it.next() {
			f.document(e, prefix)
		}
		return
	case "$comment":
		return
	}
	f.add(prefix + key)
	f.condition(raw, prefix+key)
}

func (f *fieldList) document(obj, prefix string) {
	it := newObjectIter(obj, 0, 1)
	for k, esc, v, more := it.next(); more; k, esc, v, more = it.next() {
		f.clause(unescapeKey(k, esc), v, prefix)
	}
}

// condition looks inside a field's condition for more field names.
func (f *fieldList) condition(raw, path string) {
	if raw[0] != '{' {
		return
	}
	if objectForm(raw) == formFields {
		f.document(raw, path+".")
		return
	}
	it := newObjectIter(raw, 0, 1)
	for k, esc, arg, more := it.next(); more; k, esc, arg, more = it.next() {
		switch unescapeKey(k, esc) {
		case "$elemMatch":
			if isElemQuery(arg) {
				f.document(arg, path+".")
			}
		case "$not":
			f.condition(arg, path)
		case "$all":
			f.allMembers(arg, path)
		}
	}
}

func (f *fieldList) allMembers(arr, path string) {
	it := newArrayIter(arr, 0, 1)
	for e, more := it.next(); more; e, more = it.next() {
		if e[0] == '{' && objectForm(e) == formOperators {
			f.condition(e, path)
		}
	}
}
