package main

import (
	"strings"
	"testing"

	"github.com/go-lockable/lockable/core"

	"github.com/stretchr/testify/assert"
)

func TestRunForms(t *testing.T) {
	list := writeList(t, lab(2)...)
	env := []string{"LOCKABLE_LOCK_FOLDER=" + t.TempDir(), "LOCKABLE_HOSTNAME=lab-1", "LOCKABLE_RESOURCES=" + list}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"--help"}, 0, "Usage:", ""},
		{"help of a subcommand", []string{"status", "-h"}, 0, "Usage:", ""},
		{"version", []string{"version"}, 0, "lockable ", ""},
		{"version flag", []string{"--version"}, 0, "lockable ", ""},
		{"version with an argument", []string{"version", "x"}, exitUsage, "", "lockable: lockable version takes no arguments\n"},
		{"validate", []string{"validate"}, 0, "valid, 2 resources", ""},
		{"validate-only", []string{"--validate-only"}, 0, "valid, 2 resources", ""},
		{"status", []string{"status"}, 0, "dev-1  free", ""},
		{"status json", []string{"status", "--json", "--requirements", "id=dev-0"}, 0, `"id": "dev-0"`, ""},
		{"run", []string{"--no-shell", "--", "true"}, 0, "", ""},
		{"run fails", []string{"--no-shell", "--", "false"}, 1, "", ""},
		{"no command", nil, exitUsage, "", "lockable: no command to run"},
		{"not a subcommand after --", []string{"--no-shell", "--", "version"}, exitNotFound, "", "lockable: cannot run version"},
		{"nothing fits", []string{"--requirements", "os=ios", "true"}, exitFailure, "", "lockable: no resource fits"},
		{"completion", []string{"completion", "fish"}, 0, "complete -c lockable", ""},
		{"completion of nothing", []string{"completion"}, exitUsage, "", "takes one shell"},
		{"maintenance note too long", []string{"maintain", "dev-0", "--note", strings.Repeat("x", core.MaxNote+1)}, exitUsage, "",
			"lockable: lockable maintain dev-0: the note is 4097 bytes, and at most 4096 fit"},
		{"maintenance note that fits", []string{"maintain", "dev-0", "--note", strings.Repeat("x", core.MaxNote)}, 0, "dev-0: in maintenance", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, env, tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, stdout, tc.stdout)
			if tc.stderr == "" {
				assert.Empty(t, stderr)
			} else {
				assert.Contains(t, stderr, tc.stderr)
			}
		})
	}
}

func TestGetenvTakesTheLastSetting(t *testing.T) {
	c := &cli{environ: []string{"A=1", "AB=2", "A=3"}}
	assert.Equal(t, "3", c.getenv("A"))
	assert.Equal(t, "2", c.getenv("AB"))
	assert.Empty(t, c.getenv("B"))
}
