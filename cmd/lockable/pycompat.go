package main

import (
	"strconv"
	"strings"
)

// envPyCompat turns --py-compat on from the environment, for CI scripts
// written for the Python lockable.
const envPyCompat = "LOCKABLE_PY_COMPAT"

// pyLockFolder is the Python command line's default lock folder: the
// current directory (PYL lockable/cli.py, get_args: --lock-folder,
// default='.').
const pyLockFolder = "."

// pyCompatFromEnv turns --py-compat on when LOCKABLE_PY_COMPAT says so.
func (c *cli) pyCompatFromEnv(o *options) error {
	v := strings.TrimSpace(c.getenv(envPyCompat))
	if v == "" || o.set["py-compat"] {
		return nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return usagef("%s=%s: want 1 or 0 (true or false)", envPyCompat, v)
	}
	o.pyCompat = on
	return nil
}

// trailingFlags deals with lockable's own flags written after the first
// word of the command. The Python tool takes them there (argparse with
// nargs='*': lockable --requirements R echo hi --timeout 5 waits 5 s for
// R and runs echo hi; PYL lockable/cli.py, get_args); lockable passes
// every word after the first to the command, dashes included, and says
// so when one is a flag of its own. With --py-compat it takes them as the
// Python tool does: flags after the command's words are lockable's, and a
// flag followed by more words of the command is an error. After "--",
// every word is the command's.
func (c *cli) trailingFlags(o *options, command []string, dashes bool) ([]string, error) {
	if dashes || len(command) < 2 {
		return command, nil
	}
	i := 1
	for ; i < len(command) && !isOwnFlag(command[i]); i++ {
	}
	if i == len(command) {
		return command, nil
	}
	if !o.pyCompat {
		c.say("warning: %s after the command is the command's, not lockable's: give lockable's flags before the command (--py-compat takes them after it, as the Python lockable does), or put -- before the command", command[i])
		return command, nil
	}
	fs := flagSet("lockable")
	o.runFlags(fs)
	rest, _, err := o.parse(fs, command[i:])
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usagef("unrecognized arguments: %s (with --py-compat, lockable's flags after the command come last, as the Python lockable wants)", strings.Join(rest, " "))
	}
	return command[:i], nil
}

// isOwnFlag reports whether word is one of the run form's flags.
func isOwnFlag(word string) bool {
	name, ok := strings.CutPrefix(word, "--")
	if !ok {
		name, ok = strings.CutPrefix(word, "-")
	}
	if !ok || name == "" {
		return false
	}
	name, _, _ = strings.Cut(name, "=")
	fs := flagSet("lockable")
	newOptions().runFlags(fs)
	return fs.Lookup(name) != nil
}
