// Package labutil is what the test suites of the process tests share.
package labutil

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
)

// Use uses a for LAB_HOLD (a Go duration, default none), and appends the
// interval it held it to the file LAB_LOG names, if any, as a line
// "<resource id> <pid> <start unix ns> <end unix ns>", so that the
// parent can check that no two holders overlapped.
func Use(t *testing.T, a *core.Allocation) {
	t.Helper()
	start := time.Now()
	if d, err := time.ParseDuration(os.Getenv("LAB_HOLD")); err == nil {
		time.Sleep(d) // the test's work with the device
	}
	end := time.Now()
	path := os.Getenv("LAB_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := fmt.Sprintf("%s %d %d %d\n", a.ResourceID(), os.Getpid(), start.UnixNano(), end.UnixNano())
	if _, err := f.WriteString(line); err != nil {
		t.Fatal(err)
	}
}

// N returns the number in variable name, or def.
func N(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}
