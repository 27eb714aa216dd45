package provider

import (
	"strings"
	"testing"
	"unicode"

	"github.com/tidwall/gjson"
)

// FuzzValidate checks that Validate never panics, that what it accepts is
// sound (objects with unique, safe ids that gjson reads back and
// encoding/json decodes), and that what
// it refuses comes with printable problems.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		`[]`, `[{"id": "a"}, {"id": 7}]`, `[{"id": "a"}, {"id": "a"}]`, `{"id": 1}`, `[{"id": "../x"}]`,
		`[{"id": "a\u0000"}]`, `[{"id": 1.5e3, "n": {"id": 2}}]`, `[{"id": "a", "\u0069d": "b"}]`,
		"\uFEFF[{\"id\": \"x\"}]", `[[[[`, `[{"id": "a"},]`, `[1, null, "s"]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Validate("fuzz.json", data)
		if err != nil {
			checkRefused(t, err)
			return
		}
		seen := map[string]bool{}
		for _, r := range res {
			if msg := idProblem(r.ID()); msg != "" || seen[r.ID()] {
				t.Fatalf("accepted id %q: %s (duplicate: %t)", r.ID(), msg, seen[r.ID()])
			}
			seen[r.ID()] = true
			if !gjson.Valid(r.JSON()) || !gjson.Parse(r.JSON()).IsObject() {
				t.Fatalf("accepted a resource that is not a JSON object: %q", r.JSON())
			}
			if _, err := r.Map(); err != nil {
				t.Fatalf("accepted a resource that encoding/json cannot decode: %q: %v", r.JSON(), err)
			}
			if id := r.Get("id"); id.String() != r.ID() {
				t.Fatalf("id %q reads back as %q", r.ID(), id.Raw())
			}
		}
	})
}

// checkRefused checks a refusal: a ValidationError with printable problems.
func checkRefused(t *testing.T, err error) {
	verr := requireValidationError(t, err)
	if len(verr.Problems) == 0 {
		t.Fatal("a validation error without problems")
	}
	if i := strings.IndexFunc(err.Error(), func(r rune) bool { return r != '\n' && unicode.IsControl(r) }); i >= 0 {
		t.Fatalf("control character in the message: %q", err.Error())
	}
}
