package query_test

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/query"
)

const phone = `{"id": "pixel-7-01", "hostname": "lab-runner-3", "online": true, "os": "android",
	"ram_gb": 8, "tags": ["usb", "5g"], "network": {"ip": "10.1.2.3"}}`

func TestParseEmptyMatchesEveryObject(t *testing.T) {
	for _, s := range []string{"", "   ", "\n\t", "{}", " { } "} {
		q, err := query.Parse(s)
		require.NoError(t, err, "%q", s)
		assert.True(t, q.Match(phone), "%q", s)
		assert.True(t, q.Match(`{}`), "%q", s)
		assert.False(t, q.Match(`[]`), "%q", s)
		assert.Equal(t, "{}", q.String(), "%q", s)
		assert.Empty(t, q.Fields(), "%q", s)
	}
}

func TestErrorLocatesTheFault(t *testing.T) {
	tests := []struct {
		query, path, op, message string
	}{
		{`{"a": {"$in": 1}}`, "a", "$in", `requirements: "a": $in: wants an array of values, e.g. ["android", "ios"]`},
		{`{"$or": [{"x": 1}, {"y": {"$foo": 1}}]}`, "$or.1.y", "$foo", ""},
		{`{"$and": 5}`, "", "$and", ""},
		{`{"tags": {"$all": [{"$elemMatch": {"n": {"$size": -1}}}]}}`, "tags.$all.0.$elemMatch.n", "$size", ""},
		{`{"a": {"$not": {"$regex": "("}}}`, "a.$not", "$regex", ""},
		{`{"a": {"$elemMatch": {"$gt": 1, "$lt": "x", "$bad": 2}}}`, "a.$elemMatch", "$bad", ""},
		{`{"a..b": 1}`, "a..b", "", ""},
		{`a=1&b&c=2`, "b", "", `requirements: "b": not key=value (join conditions with &)`},
		{`a=1&x..y=2`, "x..y=2", "", ""},
		{`{"a": 1,}`, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, err := query.Parse(tt.query)
			var qe *query.Error
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, tt.path, qe.Path)
			assert.Equal(t, tt.op, qe.Operator)
			assert.NotEmpty(t, qe.Reason)
			if tt.message != "" {
				assert.Equal(t, tt.message, err.Error())
			}
		})
	}
}

// A message quotes a bounded part of a long requirement: a part of a
// thousand invalid bytes, each escaped as four, does not make a message
// of kilobytes.
func TestErrorQuotesALongPartShortened(t *testing.T) {
	part := strings.Repeat("\xf2", 1000)
	_, err := query.Parse(part)
	var qe *query.Error
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, part, qe.Path, "the path is whole")
	assert.Less(t, len(err.Error()), 1000)
	assert.Contains(t, err.Error(), "…")
}

func TestErrorUnwrapsTheCause(t *testing.T) {
	_, err := query.Parse(`{"name": {"$regex": "^(?!tmp)"}}`)
	var re *syntax.Error
	require.ErrorAs(t, err, &re, "the regexp error is reachable")
	assert.Contains(t, err.Error(), "RE2")

	_, err = query.Parse(`{"name": "x`)
	var qe *query.Error
	require.ErrorAs(t, err, &qe)
	assert.Contains(t, err.Error(), "not valid JSON")
	assert.Error(t, errors.Unwrap(err), "encoding/json's explanation is wrapped")
}

func TestParseRefusesDeepNesting(t *testing.T) {
	deep := `{"a": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	_, err := query.Parse(deep)
	var qe *query.Error
	require.ErrorAs(t, err, &qe)
}

func TestMatchRejectsDeepNestingWithoutCrashing(t *testing.T) {
	deep := `{"a": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	assert.False(t, query.MustParse(`{}`).Match(deep))
	fine := `{"a": ` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`
	assert.True(t, query.MustParse(`{"a": {"$exists": true}}`).Match(fine))
}

func TestMustParsePanicsOnBadRequirements(t *testing.T) {
	assert.PanicsWithValue(t,
		`query: MustParse("{\"a\": {\"$bad\": 1}}"): requirements: "a": $bad: unknown operator (see the operator table in the package documentation)`,
		func() { query.MustParse(`{"a": {"$bad": 1}}`) })
}

func TestNew(t *testing.T) {
	q, err := query.New(map[string]any{
		"os":     "android",
		"ram_gb": map[string]any{"$gte": 8},
		"tags":   []string{"usb", "5g"},
	})
	require.NoError(t, err)
	assert.True(t, q.Match(`{"os": "android", "ram_gb": 12, "tags": ["usb", "5g"]}`))
	assert.False(t, q.Match(`{"os": "android", "ram_gb": 12, "tags": ["usb"]}`), "an array value is whole-array equality")
	assert.False(t, q.Match(`{"os": "android", "ram_gb": 4, "tags": ["usb", "5g"]}`))
	assert.Equal(t, `{"os":"android","ram_gb":{"$gte":8},"tags":["usb","5g"]}`, q.String(), "keys sorted, as encoding/json writes them")
}

func TestNewDocumentEqualityIgnoresKeyOrder(t *testing.T) {
	q, err := query.New(map[string]any{
		"network": map[string]any{"$eq": map[string]any{"vlan": 7, "ip": "10.0.0.5"}},
	})
	require.NoError(t, err)
	assert.True(t, q.Match(`{"network": {"ip": "10.0.0.5", "vlan": 7}}`))
	assert.True(t, q.Match(`{"network": {"vlan": 7, "ip": "10.0.0.5"}}`))
	assert.False(t, q.Match(`{"network": {"vlan": 7, "ip": "10.0.0.5", "mask": 24}}`), "still exact: no extra fields")
	assert.False(t, q.Match(`{"network": {"vlan": 7}}`))

	parsed := query.MustParse(`{"network": {"$eq": {"vlan": 7, "ip": "10.0.0.5"}}}`)
	assert.False(t, parsed.Match(`{"network": {"ip": "10.0.0.5", "vlan": 7}}`), "JSON text keeps MongoDB's ordered equality")
}

func TestNewEmptyAndErrors(t *testing.T) {
	for _, doc := range []map[string]any{nil, {}} {
		q, err := query.New(doc)
		require.NoError(t, err)
		assert.True(t, q.Match(phone))
	}
	var qe *query.Error
	_, err := query.New(map[string]any{"a": make(chan int)})
	require.ErrorAs(t, err, &qe, "a value JSON cannot encode")
	_, err = query.New(map[string]any{"a": map[string]any{"$in": "x"}})
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, "$in", qe.Operator)
}

func TestWithAddsDefaultsUnlessNamed(t *testing.T) {
	base := query.MustParse(`{"os": "android"}`)
	q := base.With("hostname", "lab-runner-3").With("online", true)
	assert.Equal(t, `{"os":"android","hostname":"lab-runner-3","online":true}`, q.String())
	assert.True(t, q.Match(phone))
	assert.False(t, q.Match(strings.Replace(phone, `"online": true`, `"online": false`, 1)))
	assert.Equal(t, `{"os":"android"}`, base.String(), "the original is unchanged")

	own := query.MustParse(`{"hostname": {"$in": ["lab-runner-1", "lab-runner-3"]}}`).With("hostname", "lab-runner-9")
	assert.Equal(t, `{"hostname":{"$in":["lab-runner-1","lab-runner-3"]}}`, own.String())
	assert.True(t, own.Match(phone))

	empty := query.MustParse("").With("online", true)
	assert.Equal(t, `{"online":true}`, empty.String())
}

func TestWithNullRemovesTheCondition(t *testing.T) {
	offline := strings.Replace(phone, `"online": true`, `"online": false`, 1)
	q := query.MustParse(`{"os": "android", "online": null}`)
	assert.False(t, q.Match(offline), "on its own, null is MongoDB's null-or-missing")

	withDefaults := q.With("hostname", "lab-runner-3").With("online", true)
	assert.Equal(t, `{"os":"android","hostname":"lab-runner-3"}`, withDefaults.String())
	assert.True(t, withDefaults.Match(offline))
	assert.True(t, withDefaults.Match(phone))
}

func TestWithOperatorsAndPaths(t *testing.T) {
	q := query.MustParse("").
		With("ram_gb", map[string]any{"$gte": 8}).
		With("network.ip", map[string]any{"$regex": `^10\.1\.`})
	assert.True(t, q.Match(phone))
	assert.Equal(t, []string{"ram_gb", "network.ip"}, q.Fields())
}

func TestWithPanicsOnMistakesInCode(t *testing.T) {
	q := query.MustParse("")
	assert.Panics(t, func() { q.With("a..b", 1) })
	assert.Panics(t, func() { q.With("$or", 1) })
	assert.Panics(t, func() { q.With("a", map[string]any{"$bad": 1}) })
	assert.Panics(t, func() { q.With("a", func() {}) })
}

func TestAnd(t *testing.T) {
	q := query.MustParse(`{"os": "android"}`)
	extra := query.MustParse(`ram_gb=8`)
	assert.Same(t, q, q.And(nil))
	assert.Same(t, q, q.And(query.MustParse("")))
	assert.Same(t, extra, query.MustParse("").And(extra))

	both := q.And(query.MustParse(`{"tags": "usb"}`))
	assert.Equal(t, `{"os":"android","tags":"usb"}`, both.String())
	assert.True(t, both.Match(phone))
	assert.False(t, q.And(query.MustParse(`{"tags": "nfc"}`)).Match(phone))
}

func TestAndThenWithSeesBothSides(t *testing.T) {
	extra := query.MustParse(`{"online": null, "hostname": "lab-runner-7"}`)
	q := query.MustParse(`{"os": "android"}`).And(extra).With("hostname", "lab-runner-3").With("online", true)
	assert.Equal(t, `{"os":"android","hostname":"lab-runner-7"}`, q.String())
}

func TestAndOfTheSameFieldPrintsAsAnd(t *testing.T) {
	q := query.MustParse(`{"os": "android"}`).And(query.MustParse(`{"os": {"$ne": "ios"}, "ram_gb": 8}`))
	assert.Equal(t, `{"$and":[{"os":"android"},{"os":{"$ne":"ios"}},{"ram_gb":8}]}`, q.String())
	again := query.MustParse(q.String())
	assert.Equal(t, q.Match(phone), again.Match(phone))
	assert.True(t, q.Match(phone))
}

func TestStringIsCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{ "b" : 1 , "a" : [ 1 , 2.50 , -0 ] }`, `{"b":1,"a":[1,2.50,-0]}`},
		{`{"\u0061": "\u00e9\t\"<>&"}`, `{"a":"é\t\"<>&"}`},
		{`{"a": {"$regex": "^x\\d", "$options": "i"}}`, `{"a":{"$regex":"^x\\d","$options":"i"}}`},
		{`os=android&online=TRUE&net.ip=10.0.0.1`, `{"os":"android","online":true,"net.ip":"10.0.0.1"}`},
		{`{"$comment": "why", "a": null}`, `{"$comment":"why","a":null}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, query.MustParse(tt.in).String(), tt.in)
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{`{"os": "android", "ram_gb": {"$gte": 8}}`, []string{"os", "ram_gb"}},
		{`{"$or": [{"os": "ios"}, {"$and": [{"ram_gbb": 8}, {"os": "android"}]}], "$comment": "x"}`, []string{"os", "ram_gbb"}},
		{`{"$nor": [{"a.b": 1}]}`, []string{"a.b"}},
		{`{"network": {"ip": "x", "vlan": {"$gt": 1}}}`, []string{"network", "network.ip", "network.vlan"}},
		{`{"results": {"$elemMatch": {"product": "x", "score": {"$gt": 1}}}}`, []string{"results", "results.product", "results.score"}},
		{`{"results": {"$elemMatch": {"$gt": 1}}}`, []string{"results"}},
		{`{"qty": {"$all": [{"$elemMatch": {"size": "M"}}, {"$elemMatch": {"num": 1}}]}}`, []string{"qty", "qty.size", "qty.num"}},
		{`{"a": {"$not": {"$elemMatch": {"b": 1}}}}`, []string{"a", "a.b"}},
		{`{"a": {"$elemMatch": {"$or": [{"b": 1}, {"c": {"d": 2}}]}}}`, []string{"a", "a.b", "a.c", "a.c.d"}},
		{`os=android&network.ip=10.0.0.1`, []string{"os", "network.ip"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, query.MustParse(tt.query).Fields(), tt.query)
	}
	q := query.MustParse(`{"os": "android"}`).And(query.MustParse(`{"os": "android", "x": 1}`)).With("hostname", "h")
	assert.Equal(t, []string{"os", "x", "hostname"}, q.Fields())
}

func TestExplain(t *testing.T) {
	q := query.MustParse(`{"os": "android", "ram_gb": {"$gte": 16}, "serial": {"$exists": true},
		"tags": {"$all": ["usb", "nfc"]}, "$or": [{"hostname": "a"}, {"hostname": "b"}], "network.ip": "10.9.9.9"}`)
	got := q.Explain(phone)
	want := []query.Mismatch{
		{Field: "ram_gb", Condition: `{"$gte":16}`, Actual: `8`},
		{Field: "serial", Condition: `{"$exists":true}`, Actual: ``},
		{Field: "tags", Condition: `{"$all":["usb","nfc"]}`, Actual: `["usb","5g"]`},
		{Field: "$or", Condition: `[{"hostname":"a"},{"hostname":"b"}]`, Actual: ``},
		{Field: "network.ip", Condition: `"10.9.9.9"`, Actual: `"10.1.2.3"`},
	}
	assert.Equal(t, want, got)

	var lines []string
	for _, m := range got {
		lines = append(lines, m.String())
	}
	assert.Equal(t, []string{
		`ram_gb: want {"$gte":16}, have 8`,
		`serial: want {"$exists":true}, missing`,
		`tags: want {"$all":["usb","nfc"]}, have ["usb","5g"]`,
		`$or: want one of [{"hostname":"a"},{"hostname":"b"}]`,
		`network.ip: want "10.9.9.9", have "10.1.2.3"`,
	}, lines)
}

func TestExplainPathsThroughArrays(t *testing.T) {
	doc := `{"instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C"}, {"warehouse": "B", "qty": 15}]}`
	got := query.MustParse(`{"instock.qty": {"$gt": 20}}`).Explain(doc)
	require.Len(t, got, 1)
	assert.Equal(t, `[5,15]`, got[0].Actual)
	assert.Empty(t, query.MustParse(`{"instock.qty": 15}`).Explain(doc))
}

func TestExplainNotAnObject(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"a": 1`, `"x"`} {
		got := query.MustParse(`{}`).Explain(doc)
		require.Len(t, got, 1, doc)
		assert.Equal(t, query.Mismatch{}, got[0])
		assert.Equal(t, "resource is not a JSON object", got[0].String())
	}
	assert.Equal(t, "$and: want all of [{}]", query.Mismatch{Field: "$and", Condition: "[{}]"}.String())
	assert.Equal(t, "$nor: want none of [{}]", query.Mismatch{Field: "$nor", Condition: "[{}]"}.String())
}

func TestMatchIsSafeForConcurrentUse(t *testing.T) {
	q := query.MustParse(`{"os": {"$regex": "^andr"}, "tags": {"$elemMatch": {"$in": ["usb"]}}, "network": {"ip": "10.1.2.3"}}`)
	var wg sync.WaitGroup
	results := make([]bool, 8)
	for g := range results {
		wg.Go(func() {
			ok := true
			for range 500 {
				ok = ok && q.Match(phone) && !q.Match(`{"os": "ios"}`)
			}
			results[g] = ok
		})
	}
	wg.Wait()
	for g, ok := range results {
		assert.True(t, ok, "goroutine %d", g)
	}
}

func TestManyFields(t *testing.T) {
	for _, n := range []int{9, 64, 65, 300} {
		var fields, values []string
		for i := range n {
			fields = append(fields, fmt.Sprintf(`"f%d": %d`, i, i))
			values = append(values, fmt.Sprintf(`"f%d": %d`, n-1-i, n-1-i))
		}
		q := query.MustParse("{" + strings.Join(fields, ", ") + "}")
		assert.True(t, q.Match("{"+strings.Join(values, ", ")+"}"), "%d fields, any order", n)
		assert.False(t, q.Match("{"+strings.Join(values[1:], ", ")+"}"), "%d fields, one missing", n)
		assert.False(t, q.Match(`{"f0": -1, `+strings.Join(values, ", ")+"}"), "%d fields, f0 repeated: the first counts", n)
	}
}
