package query_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/query"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/; a few more seeds are
// added in code. CI runs each target for a few seconds:
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 3s ./query

// fuzzResources are matched by every requirement FuzzParse compiles.
var fuzzResources = []string{phone, inv1, inv5, all1, emD1, stPlanner, journal, `{}`, `{"a": [[{"b": null}]]}`}

// FuzzParse compiles arbitrary requirements (both forms): no panic, no
// hang; every failure is an *Error; String is canonical (it compiles, to
// itself, and to a query that answers the same).
func FuzzParse(f *testing.F) {
	f.Add(`{"os": "android", "ram_gb": {"$gte": 8}}`)
	f.Add(`os=android&online=true&network.ip=10.0.0.1`)
	f.Add(`{"$or": [{"a": {"$elemMatch": {"b": {"$regex": "^x", "$options": "ix"}}}}, {"c": {"$not": {"$size": 2}}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := query.Parse(s)
		if err != nil {
			var qe *query.Error
			require.ErrorAs(t, err, &qe)
			return
		}
		text := q.String()
		again, err := query.Parse(text)
		require.NoError(t, err, "String() = %s", text)
		assert.Equal(t, text, again.String())
		q.Fields()
		for _, r := range fuzzResources {
			assert.Equal(t, q.Match(r), again.Match(r), "%s on %s", text, r)
		}
	})
}

// FuzzMatch matches arbitrary requirements against arbitrary resource text:
// no panic, no hang; Match agrees with MatchBytes and Explain; only valid
// JSON objects ever match, and the empty query matches all of them; and
// {"$nor": [q]} matches a JSON object exactly when q does not.
func FuzzMatch(f *testing.F) {
	f.Add(`{"tags": "usb"}`, phone)
	f.Add(`{"a.b": null}`, `{"a": [1, {"c": 2}]}`)
	f.Add(`{}`, `{"a": [1, 2,]}`)
	f.Fuzz(func(t *testing.T, requirements, resource string) {
		q, err := query.Parse(requirements)
		if err != nil {
			return
		}
		m := q.Match(resource)
		assert.Equal(t, m, q.MatchBytes([]byte(resource)), "MatchBytes")
		assert.Equal(t, m, len(q.Explain(resource)) == 0, "Explain")

		object := isJSONObject(resource)
		if nestedDeeply(resource) {
			return // encoding/json and query both stop at 10000 levels, counted differently
		}
		if !object {
			assert.False(t, m, "text that is not a JSON object never matches")
		}
		assert.Equal(t, object, query.MustParse("").Match(resource), "the empty query matches every object")
		nor := query.MustParse(`{"$nor": [` + q.String() + `]}`)
		assert.Equal(t, object && !m, nor.Match(resource), "%s", nor)
	})
}

func isJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}

func nestedDeeply(s string) bool {
	return strings.Count(s, "[")+strings.Count(s, "{") > 9000
}
