package main

import (
	"context"
	"os"
)

// wholeProcess is true when lockable is this whole process, not a test
// calling run: only then may it end children it did not start (see
// sweepCare).
var wholeProcess bool

func main() {
	wholeProcess = true
	os.Exit(run(context.Background(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}
