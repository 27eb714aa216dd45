package main

import (
	"fmt"
	"runtime"

	"github.com/go-lockable/lockable/internal/version"
)

// version prints lockable's version, and the Go toolchain and platform
// it was built for.
func (c *cli) version(args []string) error {
	if len(args) > 0 {
		return usagef("lockable version takes no arguments")
	}
	_, err := fmt.Fprintf(c.stdout, "lockable %s (%s %s/%s)\n", version.String(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
