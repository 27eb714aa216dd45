package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateAcceptsLists(t *testing.T) {
	tests := []struct {
		name string
		text string
		ids  []string
	}{
		{"empty list", `[]`, []string{}},
		{"empty list with space", " \n[ ]\n", []string{}},
		{"string ids", `[{"id": "a"}, {"id": "b"}]`, []string{"a", "b"}},
		{"number ids keep their text", `[{"id": 7}, {"id": 1.5}, {"id": -2}, {"id": 1e3}]`, []string{"7", "1.5", "-2", "1e3"}},
		{"escaped id", `[{"id": "caf\u00e9"}]`, []string{"café"}},
		{"unicode id", `[{"id": "téléphone-01"}]`, []string{"téléphone-01"}},
		{"byte order mark", "\uFEFF" + `[{"id": "a"}]`, []string{"a"}},
		{"id not first", `[{"os": "ios", "tags": [{"id": 1}], "id": "x"}]`, []string{"x"}},
		{"dots inside id", `[{"id": "10.0.0.1:5555"}, {"id": "a..b"}, {"id": ".hidden"}]`, []string{"10.0.0.1:5555", "a..b", ".hidden"}},
		{"health check", `[{"id": "a", "health_check": "adb -s $SERIAL get-state"}]`, []string{"a"}},
		{"longest id", `[{"id": "` + strings.Repeat("x", maxIDBytes) + `"}]`, []string{strings.Repeat("x", maxIDBytes)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Validate("res.json", []byte(tt.text))
			require.NoError(t, err)
			assert.Equal(t, tt.ids, ids(res))
		})
	}
}

// A resource keeps the list's keys, order and spellings; only the white
// space between tokens goes, so that a pretty-printed list is matched as
// fast as a compact one. White space inside strings stays.
func TestValidateKeepsObjectsWithoutSpaces(t *testing.T) {
	text := "[\n  {\"id\": \"a b\", \"n\": {\"x\": [1, 2.50],\n\t\"s\": \"\\\" x \"}},\r\n  {\"id\": 2}\n]"
	res, err := Validate("res.json", []byte(text))
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.Equal(t, `{"id":"a b","n":{"x":[1,2.50],"s":"\" x "}}`, res[0].JSON())
	assert.Equal(t, `{"id":2}`, res[1].JSON())

	compact := `[{"id":"c","os":"android"}]`
	res, err = Validate("res.json", []byte(compact))
	require.NoError(t, err)
	assert.Equal(t, compact[1:len(compact)-1], res[0].JSON())
}

func TestValidateRefuses(t *testing.T) {
	long := strings.Repeat("x", maxIDBytes+1)
	tests := []struct {
		name    string
		text    string
		want    Problem // Message is a part of the expected message
		problem int     // which problem to check
	}{
		{"not JSON", "[\n  {\"id\": \"a\",}\n]", Problem{Index: -1, Line: 2, Column: 14, Message: "not valid JSON: invalid character '}'"}, 0},
		{"truncated", `[{"id": "a"}`, Problem{Index: -1, Line: 1, Column: 12, Message: "not valid JSON: unexpected end of JSON input"}, 0},
		{"empty file", "  \n", Problem{Index: -1, Line: 1, Column: 1, Message: "the list is empty; an empty resources list is written []"}, 0},
		{"trailing data", `[] []`, Problem{Index: -1, Line: 1, Column: 4, Message: "not valid JSON: invalid character '['"}, 0},
		{"object", ` {"id": "a"}`, Problem{Index: -1, Line: 1, Column: 2, Message: "the list is an object, not a JSON array"}, 0},
		{"string", `"a"`, Problem{Index: -1, Line: 1, Column: 1, Message: `the list is a string "a", not a JSON array`}, 0},
		{"element not an object", "[{\"id\": 1},\n 42]", Problem{Index: 1, Line: 2, Column: 2, Message: "a number (42), not an object"}, 0},
		{"null element", `[null]`, Problem{Index: 0, Line: 1, Column: 2, Message: "null, not an object"}, 0},
		{"missing id", `[{"name": "x"}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `no "id"; every resource needs a unique id`}, 0},
		{"null id", `[{"id": null}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `"id" is null; use a string or a number`}, 0},
		{"bool id", `[{"id": true}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `"id" is a boolean (true); use a string or a number`}, 0},
		{"array id", `[{"id": [1]}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `"id" is an array; use`}, 0},
		{"object id", `[{"id": {}}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `"id" is an object; use`}, 0},
		{"id key twice", `[{"id": "a", "id": "../x"}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `the key "id" appears more than once`}, 0},
		{"id key twice, escaped", `[{"id": "a", "\u0069d": "b"}]`, Problem{Index: 0, Line: 1, Column: 2, Message: `the key "id" appears more than once`}, 0},
		{"duplicate", "[\n {\"id\": \"a\"},\n {\"id\": \"a\"}\n]", Problem{Index: 1, Line: 3, Column: 2, ID: "a", Message: `duplicate id "a", first used at [0] (2:2); ids must be unique`}, 0},
		{"number and string duplicate", `[{"id": 7}, {"id": "7"}]`, Problem{Index: 1, Line: 1, Column: 13, ID: "7", Message: `duplicate id "7", first used at [0] (1:2)`}, 0},
		{"escaped duplicate", `[{"id": "a"}, {"id": "\u0061"}]`, Problem{Index: 1, Line: 1, Column: 15, ID: "a", Message: `duplicate id "a"`}, 0},
		{"empty id", `[{"id": ""}]`, Problem{Index: 0, Line: 1, Column: 2, Message: "id is empty; ids become lock file names"}, 0},
		{"dot id", `[{"id": "."}]`, Problem{Index: 0, Line: 1, Column: 2, ID: ".", Message: `id "." is a path element; ids become lock file names`}, 0},
		{"dot dot id", `[{"id": ".."}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "..", Message: `id ".." is a path element`}, 0},
		{"slash", `[{"id": "../etc/passwd"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "../etc/passwd", Message: `id "../etc/passwd" contains '/'; ids become lock file names`}, 0},
		{"escaped slash", `[{"id": "a\/b"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "a/b", Message: `contains '/'`}, 0},
		{"backslash", `[{"id": "a\\b"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: `a\b`, Message: `contains '\\'`}, 0},
		{"NUL", `[{"id": "a\u0000b"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "a\x00b", Message: `id "a\x00b" contains the control character U+0000`}, 0},
		{"newline", `[{"id": "a\nb"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "a\nb", Message: `contains the control character U+000A`}, 0},
		{"C1 control", `[{"id": "a\u0085b"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "a\u0085b", Message: `contains the control character U+0085`}, 0},
		{"invalid UTF-8", "[{\"id\": \"a\xffb\"}]", Problem{Index: 0, Line: 1, Column: 2, ID: "a\xffb", Message: `is not valid UTF-8`}, 0},
		{"too long", `[{"id": "` + long + `"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: long, Message: `"… is 201 bytes long, more than 200`}, 0},
		{"repeated key", "[\n {\"id\": \"dev1\", \"online\": true,\n  \"online\": false}\n]", Problem{Index: 0, Line: 2, Column: 2, ID: "dev1",
			Message: `the key "online" appears twice in resource "dev1" (at 2:17 and 3:3); the Python lockable would read the last, so which one counts is ambiguous: keep one`}, 0},
		{"repeated nested key", `[{"id": 1, "network": {"ip": "a", "ip": "b"}}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "1", Message: `the key "network.ip" appears twice in resource "1" (at 1:24 and 1:35)`}, 0},
		{"repeated key in an array's object", `[{"id": 1, "sims": [{"slot": 0}, {"slot": 1, "slot": 2}]}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "1", Message: `the key "sims.slot" appears twice`}, 0},
		{"repeated key, escaped", `[{"id": 1, "os": "a", "\u006fs": "b"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "1", Message: `the key "os" appears twice`}, 0},
		{"health check not a string", `[{"id": "d1", "health_check": ["adb"]}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "d1", Message: `"health_check" of resource "d1" is an array; it must be a command line (a string)`}, 0},
		{"empty health check", `[{"id": "d1", "health_check": " "}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "d1", Message: `"health_check" of resource "d1" is empty`}, 0},
		{"health check with NUL", `[{"id": "d1", "health_check": "a\u0000b"}]`, Problem{Index: 0, Line: 1, Column: 2, ID: "d1", Message: `holds a NUL character`}, 0},
		{"second of two", `[{"id": "ok"}, {"id": "a/b"}, {"x": 1}]`, Problem{Index: 2, Line: 1, Column: 31, Message: `no "id"`}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Validate("res.json", []byte(tt.text))
			assert.Nil(t, res)
			verr := requireValidationError(t, err)
			assert.Equal(t, "res.json", verr.Source)
			require.Greater(t, len(verr.Problems), tt.problem)
			got := verr.Problems[tt.problem]
			assert.Contains(t, got.Message, tt.want.Message)
			got.Message = tt.want.Message
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValidateFindsRepeatsAmongManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString(`[{"id": "big"`)
	for i := range 100 {
		fmt.Fprintf(&b, `, "k%d": %d`, i, i)
	}
	b.WriteString(`, "k57": 0}]`)
	_, err := Validate("res.json", []byte(b.String()))
	verr := requireValidationError(t, err)
	assert.Contains(t, verr.Problems[0].Message, `the key "k57" appears twice`)
}

func TestValidateTooDeep(t *testing.T) {
	text := "[" + strings.Repeat(`{"a":[`, maxDepth) + strings.Repeat("]}", maxDepth) + "]"
	verr := requireValidationError(t, second(Validate("deep.json", []byte(text))))
	assert.Contains(t, verr.Error(), "deep.json:1:")
	assert.Contains(t, verr.Error(), "nested more than 10000 levels deep")

	// brackets inside strings do not count
	text = `[{"id": 1, "s": "` + strings.Repeat(`[\"{`, maxDepth+1) + `"}]`
	_, err := Validate("deep.json", []byte(text))
	require.NoError(t, err)
}

func TestValidateReportsAllProblems(t *testing.T) {
	text := `[{"id": "a"}, {"id": "a"}, {"id": "b/c"}, 3, {"x": 1}]`
	verr := requireValidationError(t, second(Validate("res.json", []byte(text))))
	assert.Equal(t, []int{1, 2, 3, 4}, indexes(verr.Problems))
	assert.Equal(t, 0, verr.Omitted)
}

func TestValidateCapsProblems(t *testing.T) {
	text := "[" + strings.TrimSuffix(strings.Repeat(`{"id": ""},`, maxProblems+7), ",") + "]"
	verr := requireValidationError(t, second(Validate("res.json", []byte(text))))
	assert.Len(t, verr.Problems, maxProblems)
	assert.Equal(t, 7, verr.Omitted)
	lines := strings.Split(verr.Error(), "\n")
	assert.Len(t, lines, maxProblems+1)
	assert.Equal(t, "res.json: and 7 more problems", lines[maxProblems])
}

func TestValidationErrorFormat(t *testing.T) {
	text := "[\n  {\"id\": \"a\"},\n  {\"id\": \"a\"},\n  {\"id\": \"a/b\"}\n]"
	err := second(Validate("/lab/res.json", []byte(text)))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalid))
	assert.False(t, errors.Is(err, ErrUnavailable))
	want := `/lab/res.json:3:3: [1]: duplicate id "a", first used at [0] (2:3); ids must be unique` + "\n" +
		`/lab/res.json:4:3: [2]: id "a/b" contains '/'; ` + whyFileName
	assert.Equal(t, want, err.Error())
}

func TestValidateMessagesQuoteControlCharacters(t *testing.T) {
	err := second(Validate("res.json", []byte(`[{"id": "\u001b[31mred"}]`)))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\x1b")
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Index: 2, Line: 3, Column: 4, Message: "m"}, "3:4: [2]: m"},
		{Problem{Index: 2, Message: "m"}, "[2]: m"},
		{Problem{Index: -1, Line: 1, Column: 1, Message: "m"}, "1:1: m"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.String())
	}
}

func TestPosition(t *testing.T) {
	text := "ab\ncd\n\nef"
	for offset, want := range map[int]string{0: "1:1", 1: "1:2", 2: "1:3", 3: "2:1", 6: "3:1", 7: "4:1", 9: "4:3", 99: "4:3", -1: "1:1"} {
		line, col := position(text, offset)
		assert.Equal(t, want, fmt.Sprintf("%d:%d", line, col), "offset %d", offset)
	}
}

// requireValidationError asserts err is a *ValidationError and returns it.
func requireValidationError(t *testing.T, err error) *ValidationError {
	t.Helper()
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	require.ErrorIs(t, err, ErrInvalid)
	return verr
}

// second returns the error of a two-result call.
func second(_ []Resource, err error) error {
	return err
}

// ids lists the resources' ids.
func ids(res []Resource) []string {
	out := make([]string, 0, len(res))
	for _, r := range res {
		out = append(out, r.ID())
	}
	return out
}

// indexes lists the problems' indexes.
func indexes(ps []Problem) []int {
	out := make([]int, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Index)
	}
	return out
}

func TestHealthCheck(t *testing.T) {
	res, err := Validate("res.json", []byte(`[{"id": "a", "health_check": "adb -s $SERIAL get-state"}, {"id": "b"}]`))
	require.NoError(t, err)
	check, ok := res[0].HealthCheck()
	assert.True(t, ok)
	assert.Equal(t, "adb -s $SERIAL get-state", check)
	_, ok = res[1].HealthCheck()
	assert.False(t, ok)
}
