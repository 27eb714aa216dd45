package main

import (
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUsageNamesEveryFlag keeps --help and the flags in step.
func TestUsageNamesEveryFlag(t *testing.T) {
	o := newOptions()
	for _, register := range []func(*flag.FlagSet){o.runFlags, o.statusFlags, o.maintainFlags, o.validateFlags, o.serveFlags} {
		fs := flagSet("lockable")
		register(fs)
		fs.VisitAll(func(f *flag.Flag) {
			dashes := "--"
			if len(f.Name) == 1 {
				dashes = "-"
			}
			assert.Contains(t, usage, dashes+f.Name, "--help does not name %s%s", dashes, f.Name)
		})
	}
}

func TestUsageLinesFitATerminal(t *testing.T) {
	for _, line := range strings.Split(usage, "\n") {
		assert.LessOrEqual(t, len(line), 80, "%q", line)
	}
}

func TestCompletionNamesEveryFlag(t *testing.T) {
	o := newOptions()
	fs := flagSet("lockable")
	o.runFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			return
		}
		for shell, script := range map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion} {
			assert.True(t, strings.Contains(script, "--"+f.Name) || strings.Contains(script, "-l "+f.Name),
				"%s completion lacks --%s", shell, f.Name)
		}
	})
}
