package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// maxDepth bounds how deeply arrays and objects nest, as encoding/json
// does; it also keeps the recursive gjson validator within its stack.
const maxDepth = 10000

// bom is the UTF-8 byte order mark some editors put first; it is skipped.
const bom = "\uFEFF"

// trimBOM drops a leading byte order mark. Positions are then counted
// after it, as an editor shows them.
func trimBOM(text string) string {
	return strings.TrimPrefix(text, bom)
}

// documentProblem checks that text is JSON and an array. It returns a
// message and the byte offset it refers to, or "" when all is well.
func documentProblem(text string) (msg string, offset int) {
	if strings.TrimSpace(text) == "" {
		return "the list is empty; an empty resources list is written []", 0
	}
	if at, deep := tooDeep(text); deep {
		return fmt.Sprintf("not valid JSON: nested more than %d levels deep", maxDepth), at
	}
	if !gjson.Valid(text) {
		return syntaxProblem(text)
	}
	if doc := gjson.Parse(text); !doc.IsArray() {
		return fmt.Sprintf(`the list is %s, not a JSON array; write [{"id": ...}, ...]`, describe(doc)), doc.Index
	}
	return "", 0
}

// syntaxProblem explains why text is not JSON, with the offset of the
// offending byte, using encoding/json's error (the rare path).
func syntaxProblem(text string) (string, int) {
	err := json.Unmarshal([]byte(text), new(json.RawMessage))
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return "not valid JSON: " + syn.Error(), max(int(syn.Offset)-1, 0)
	}
	return "not valid JSON", 0
}

// tooDeep reports whether arrays and objects nest deeper than maxDepth,
// and the offset where they do. Brackets inside strings do not count.
func tooDeep(text string) (int, bool) {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			i = stringEnd(text, i+1)
		case '[', '{':
			if depth++; depth > maxDepth {
				return i, true
			}
		case ']', '}':
			depth--
		}
	}
	return 0, false
}

// stringEnd returns the offset of the quote that closes the string whose
// content starts at i, or len(text) when none does.
func stringEnd(text string, i int) int {
	for ; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(text)
}

// position turns a byte offset into a 1-based line and byte column.
func position(text string, offset int) (line, column int) {
	offset = min(max(offset, 0), len(text))
	before := text[:offset]
	line = strings.Count(before, "\n") + 1
	return line, offset - strings.LastIndexByte(before, '\n')
}
