package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  go run ./release rehearse [-version V] [-keep]   publish the work tree into a local proxy and use it
  go run ./release prepare VERSION                 require the siblings at VERSION, with their hashes
  go run ./release check VERSION                   is the work tree ready to tag VERSION?
  go run ./release tag VERSION                     check, then tag the four modules in order
`

// run is the whole program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(stderr, "release:", err)
		return 1
	}
	r := repo{root: root}
	log := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	switch args[0] {
	case "rehearse":
		err = cmdRehearse(r, args[1:], log)
	case "prepare":
		err = withVersion(args[1:], func(v string) error { return prepare(r, v, log) })
	case "check":
		err = withVersion(args[1:], func(v string) error { return check(r, v, log) })
	case "tag":
		err = withVersion(args[1:], func(v string) error { return tag(r, v, log) })
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "release:", err)
		return 1
	}
	return 0
}

func withVersion(args []string, do func(string) error) error {
	if len(args) != 1 {
		return fmt.Errorf("give one version, such as v0.9.0")
	}
	v, err := releaseVersion(args[0])
	if err != nil {
		return err
	}
	return do(v)
}

func cmdRehearse(r repo, args []string, log func(string, ...any)) error {
	fs := flag.NewFlagSet("rehearse", flag.ContinueOnError)
	version := fs.String("version", "v0.9.0-rehearsal.1", "the candidate version")
	keep := fs.Bool("keep", false, "keep the proxy and the sandbox")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := releaseVersion(*version); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "lockable-rehearsal-")
	if err != nil {
		return err
	}
	if *keep {
		log("keeping %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	if err := rehearse(r, work, *version, log); err != nil {
		return err
	}
	log("rehearsal of %s passed", *version)
	return nil
}

// repoRoot is the work tree's top directory.
func repoRoot() (string, error) {
	out, err := repo{root: "."}.git("rev-parse", "--show-toplevel")
	return strings.TrimSpace(out), err
}
