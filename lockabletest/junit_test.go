//go:build unix

package lockabletest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gotestsum is the version the README and CI use.
const gotestsum = "gotest.tools/gotestsum@v1.13.0"

// attrsTest is the test of the lab suite that records a phone and its
// serial.
const attrsTest = "TestAttrs"

// goTestArgs are the go test arguments that run the lab suite's
// attrsTest.
var goTestArgs = []string{"-count=1", "-run=^" + attrsTest + "$", "./lab"}

// event is one line of go test -json output.
type event struct {
	Action, Test, Key, Value string
}

func testJSONAttrs(t *testing.T, m *labModule) {
	s := newScenario(t, phones(1))
	cmd := m.goCommand(t, childWait, append([]string{"test", "-json"}, goTestArgs...)...)
	cmd.Env = append(cmd.Env, s.env()...)
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	got := map[string]string{}
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		var e event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e), sc.Text())
		if e.Action == "attr" && e.Test == attrsTest {
			got[e.Key] = e.Value
		}
	}
	assert.Equal(t, "phone-0", got["lockable.resource.id"])
	assert.Equal(t, "SN0000", got["lockable.resource.serial"])
	assert.Len(t, got["lockable.allocation.id"], 36, "a UUID")
	assert.Equal(t, "0", got["lockable.fencing_token"], "the lock folder has no fencing token")
}

// junitReport is the part of a JUnit XML report the test reads.
type junitReport struct {
	Suites []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name       string `xml:"name,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// properties returns the properties of test case name.
func (r junitReport) properties(name string) map[string]string {
	props := map[string]string{}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			if c.Name == name {
				for _, p := range c.Properties {
					props[p.Name] = p.Value
				}
			}
		}
	}
	return props
}

func testJUnit(t *testing.T, m *labModule) {
	s := newScenario(t, phones(1))
	report := filepath.Join(t.TempDir(), "junit.xml")
	args := append([]string{"run", gotestsum, "--junitfile", report, "--"}, goTestArgs...)
	cmd := m.goCommand(t, buildWait, args...)
	cmd.Env = append(cmd.Env, s.env()...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	var r junitReport
	require.NoError(t, xml.Unmarshal(data, &r))
	props := r.properties(attrsTest)
	assert.Equal(t, "phone-0", props["lockable.resource.id"], "%s", data)
	assert.Equal(t, "SN0000", props["lockable.resource.serial"])
	assert.Len(t, props["lockable.allocation.id"], 36)
	assert.Equal(t, "0", props["lockable.fencing_token"])
}
