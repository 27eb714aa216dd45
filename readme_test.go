package lockable_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// The README's quick start must be what CI runs: its commands are the
// ones in .ci/run, letter for letter.
func TestReadmeQuickStartIsWhatCIRuns(t *testing.T) {
	readme, ci := readFile(t, "README.md"), expandVersions(readFile(t, ".ci/run"))
	commands := []*regexp.Regexp{
		regexp.MustCompile(`(?m)^go run gotest\.tools/gotestsum@\S+ .*$`),
		regexp.MustCompile(`(?m)^go run \./cmd/lockable .*\\\n.*$`),
	}
	for _, re := range commands {
		command := re.FindString(ci)
		require.NotEmpty(t, command, ".ci/run runs %s", re)
		assert.Contains(t, readme, command)
	}
}

// expandVersions substitutes the version variables .ci/run sets.
func expandVersions(script string) string {
	assign := regexp.MustCompile(`(?m)^([A-Z_]+_VERSION)=(\S+)$`)
	for _, m := range assign.FindAllStringSubmatch(script, -1) {
		script = strings.ReplaceAll(script, "${"+m[1]+"}", m[2])
	}
	return script
}

// shownFile is a file of the repository that the README shows whole: a
// line "`<path>`:", a blank line, then a Go code block.
var shownFile = regexp.MustCompile("(?m)^`(examples/[^`]+)`:\n\n```go\n((?s:.*?))```$")

// The README's lockabletest section shows the examples/ suite, which
// runs with the tests: it must show the files as they are.
func TestReadmeShowsTheExamplesAsTheyAre(t *testing.T) {
	shown := shownFile.FindAllStringSubmatch(readFile(t, "README.md"), -1)
	var paths []string
	for _, m := range shown {
		paths = append(paths, m[1])
		assert.Equal(t, readFile(t, m[1]), m[2], "README.md shows %s as it is", m[1])
	}
	assert.ElementsMatch(t, []string{"examples/main_test.go", "examples/phone_test.go"}, paths)
}

// The README's worked example of lab care is what
// cmd/lockable/testdata/script/readme_labcare.txtar runs, letter for
// letter: its example.sh.
func TestReadmeLabCareExampleIsWhatTheScriptRuns(t *testing.T) {
	readme := readFile(t, "README.md")
	_, after, ok := strings.Cut(readme, "### Worked example\n")
	require.True(t, ok, "README.md has a worked example of lab care")
	_, block, ok := strings.Cut(after, "```sh\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "```\n")
	require.True(t, ok)

	script := readFile(t, "cmd/lockable/testdata/script/readme_labcare.txtar")
	_, file, ok := strings.Cut(script, "\n-- example.sh --\n")
	require.True(t, ok, "the script has example.sh")
	if next := strings.Index(file, "\n-- "); next >= 0 {
		file = file[:next+1]
	}
	assert.Equal(t, file, block, "README.md shows example.sh as the script runs it")
}
