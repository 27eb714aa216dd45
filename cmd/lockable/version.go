package main

import (
	"fmt"
	"runtime"

	"github.com/go-lockable/lockable/internal/version"
)

// version prints lockable's version as the build recorded it (go install
// .../cmd/lockable@v0.9.0 records v0.9.0), the library's when it is
// another, and the Go toolchain and platform it was built for.
func (c *cli) version(args []string) error {
	if len(args) > 0 {
		return usagef("lockable version takes no arguments")
	}
	v, lib := version.Of(version.CommandModule), version.String()
	extra := ""
	if lib != v {
		extra = "library " + lib + ", "
	}
	_, err := fmt.Fprintf(c.stdout, "lockable %s (%s%s %s/%s)\n", v, extra, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
