package provider

import (
	"encoding/json"
	"strings"

	"github.com/go-lockable/lockable/query"
	"github.com/tidwall/gjson"
)

// Resource is one validated resource: its id as text and its raw JSON
// object. It is a small value, cheap to copy and safe to share between
// goroutines. The zero Resource has an empty id and no JSON; every Resource
// a source returns has a safe, unique id.
type Resource struct {
	id  string
	raw string
}

// ID returns the id as text: a string id as it is, a number id as written
// in the JSON (7 gives "7", 1.5 gives "1.5").
func (r Resource) ID() string {
	return r.id
}

// JSON returns the resource's JSON object as the list writes it, without
// the white space between its tokens: keys in the list's order, strings
// and numbers as they are spelled there.
func (r Resource) JSON() string {
	return r.raw
}

// Get returns the value at path in the resource's object, with the path
// rules of requirements (see query.Get): dots separate fields
// ("network.ip"), a step over an array looks into its object elements
// and, when numeric, at that position ("tags.0"). A missing field gives a
// Value whose Exists is false; Get never fails.
func (r Resource) Get(path string) query.Value {
	return query.Get(r.raw, path)
}

// Map decodes the resource's object into a map, with numbers as
// json.Number so that large integers keep every digit.
func (r Resource) Map() (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(r.raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Hostname returns the "hostname" field when it is a string, else "".
func (r Resource) Hostname() string {
	v := gjson.Get(r.raw, "hostname")
	if v.Type != gjson.String {
		return ""
	}
	return v.Str
}

// Online reports whether the "online" field is the JSON value true. A
// missing field, false, or any other value is not online.
func (r Resource) Online() bool {
	return gjson.Get(r.raw, "online").Type == gjson.True
}
