package command

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

// pyValues are JSON values whose Python str() the tests compare with
// Python's own.
var pyValues = []string{
	`true`, `false`, `null`, `0`, `-0`, `5`, `-17`, `12345678901234567890123`,
	`1.5`, `8.0`, `100.0`, `0.1`, `1e3`, `1E+2`, `2.5e-5`, `0.0001`, `0.00001`, `1e16`, `1e15`,
	`123456789012345678.0`, `1e400`, `-1e400`, `3.141592653589793`, `-0.0`,
	`"plain"`, `"it's"`, `"say \"hi\""`, `"both ' and \""`, `"tab\tnew\nline\r"`, `"back\\slash"`,
	`"caf\u00e9"`, `"nbsp\u00a0x"`, `"zw\u200bj"`, `"bell\u0007"`, `"del\u007f"`, `"emoji \ud83d\ude00"`,
	`[]`, `["a", "b"]`, `[1, 2.5, null, true, "x"]`, `[["nested"], {"k": "v"}]`,
	`{}`, `{"x": 1}`, `{"a": [1, {"b": null}], "it's": "q"}`,
}

// The values are Python's, as Python 3 prints them (python3 runs here in
// CI; .ci/run installs it).
func TestPyStrIsPythons(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is needed to compare with Python's str(); .ci/run installs it")
	}
	list := "[" + strings.Join(pyValues, ",") + "]"
	script := `import json, sys
for v in json.loads(sys.stdin.read()):
    print(json.dumps(str(v)))`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(list)
	out, err := cmd.Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	require.Len(t, lines, len(pyValues))
	for i, raw := range pyValues {
		var want string
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &want))
		assert.Equal(t, want, pyStr(gjson.Parse(raw)), "str(json.loads(%s))", raw)
	}
}
