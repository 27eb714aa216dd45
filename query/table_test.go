package query_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/query"
)

// TestCases runs the case table (cases_test.go). Beyond the expected
// outcome, every case checks that MatchBytes agrees with Match, that
// Explain is empty exactly when Match is true, and that String gives text
// that compiles to the same answer.
func TestCases(t *testing.T) {
	total := 0
	for _, g := range caseGroups {
		t.Run(g.name, func(t *testing.T) {
			for i, c := range g.cases {
				t.Run(fmt.Sprintf("%d %s", i, c.query), func(t *testing.T) {
					checkCase(t, c)
				})
			}
		})
		total += len(g.cases)
	}
	assert.GreaterOrEqual(t, total, 200, "the issue asks for at least 200 cases")
}

func checkCase(t *testing.T, c tableCase) {
	t.Helper()
	q, err := query.Parse(c.query)
	if c.want == invalid {
		require.Error(t, err)
		var qe *query.Error
		assert.ErrorAs(t, err, &qe)
		return
	}
	require.NoError(t, err)
	want := c.want == match
	assert.Equal(t, want, q.Match(c.doc), "Match(%s)", c.doc)
	assert.Equal(t, want, q.MatchBytes([]byte(c.doc)), "MatchBytes")
	assert.Equal(t, want, len(q.Explain(c.doc)) == 0, "Explain is empty exactly when Match is true: %v", q.Explain(c.doc))
	again, err := query.Parse(q.String())
	require.NoError(t, err, "String() = %s", q)
	assert.Equal(t, want, again.Match(c.doc), "String() = %s", q)
}

// TestNorProperty checks over the case table that {"$nor": [q]} matches a
// JSON object exactly when q does not.
func TestNorProperty(t *testing.T) {
	for _, g := range caseGroups {
		for _, c := range g.cases {
			if c.want == invalid || !isObject(c.doc) {
				continue
			}
			q := query.MustParse(c.query)
			nor := query.MustParse(`{"$nor": [` + q.String() + `]}`)
			assert.Equal(t, !q.Match(c.doc), nor.Match(c.doc), "%s on %s", nor, c.doc)
		}
	}
}

func isObject(doc string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(doc), &m) == nil && m != nil
}
