package lockabletest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shownFile is a file of the repository that a README shows whole: a
// line "`<path>`:", a blank line, then a Go code block.
var shownFile = regexp.MustCompile("(?m)^`(examples/[^`]+)`:\n\n```go\n((?s:.*?))```$")

// TestREADMEShowsTheExamplesAsTheyAre checks that the README section (and
// README.md once the section is pasted in) shows the files of examples/
// exactly as they are.
func TestREADMEShowsTheExamplesAsTheyAre(t *testing.T) {
	docs := []string{"README-section.md"}
	if readme, err := os.ReadFile("../README.md"); err == nil && strings.Contains(string(readme), "## Testing with lockabletest") {
		docs = append(docs, "../README.md")
	}
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		require.NoError(t, err)
		shown := shownFile.FindAllStringSubmatch(string(text), -1)
		var paths []string
		for _, m := range shown {
			paths = append(paths, m[1])
		}
		assert.ElementsMatch(t, []string{"examples/main_test.go", "examples/phone_test.go"}, paths, doc)
		for _, m := range shown {
			code, err := os.ReadFile(filepath.Join("..", m[1]))
			require.NoError(t, err, "%s shows %s", doc, m[1])
			assert.Equal(t, string(code), m[2], "%s shows %s as it is", doc, m[1])
		}
	}
}
