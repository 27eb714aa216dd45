package query

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Value is what a field path reaches in a resource, walked as requirements
// walk it: one JSON value; or, where the path goes through an array and
// reaches several, a JSON array of them; or nothing, when Exists is false.
// Lookups never fail. The zero Value is missing.
type Value struct {
	r gjson.Result
}

// Get returns the value at path in resource, one JSON object as text. The
// path is a field path as in requirements: dots separate fields
// ("network.ip"), a step over an array looks into its object elements
// ("sims.carrier", every SIM's) and, when numeric, at that position
// ("tags.0"). No other character is special: "tags.#" is a field named #.
// A path that is not valid, or text that is not an object, gives a
// missing Value.
func Get(resource, path string) Value {
	steps, problem := parsePath(path)
	obj := strings.TrimSpace(resource)
	if problem != "" || obj == "" || obj[0] != '{' {
		return Value{}
	}
	first, ok := lookup(obj, steps[0].name)
	if !ok {
		return Value{}
	}
	var found []string
	collect(first, steps[1:], &found)
	switch len(found) {
	case 0:
		return Value{}
	case 1:
		return Value{parseValue(found[0])}
	}
	return Value{gjson.Parse("[" + strings.Join(found, ",") + "]")}
}

// Exists reports whether the path reached a value (null included).
func (v Value) Exists() bool { return v.r.Raw != "" }

// Raw returns the value as JSON text, as the resource writes it; "" when
// missing.
func (v Value) Raw() string { return v.r.Raw }

// String returns a string's text, and any other value as its JSON text
// ("8", "true", `["usb","5g"]`); "" when missing.
func (v Value) String() string {
	if v.r.Type == gjson.String {
		return v.r.Str
	}
	return v.r.Raw
}

// Int returns a number as an int64, its fraction dropped; 0 for anything
// else.
func (v Value) Int() int64 {
	if v.r.Type != gjson.Number {
		return 0
	}
	return v.r.Int()
}

// Float returns a number as a float64; 0 for anything else.
func (v Value) Float() float64 {
	if v.r.Type != gjson.Number {
		return 0
	}
	return v.r.Num
}

// Bool reports whether the value is the JSON value true.
func (v Value) Bool() bool { return v.r.Type == gjson.True }

// Array returns the elements of an array value, and nil for anything else.
func (v Value) Array() []Value {
	if !v.r.IsArray() {
		return nil
	}
	var out []Value
	v.r.ForEach(func(_, e gjson.Result) bool {
		out = append(out, Value{e})
		return true
	})
	return out
}
