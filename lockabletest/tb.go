package lockabletest

import "context"

// TB is the part of testing.TB the helpers use; *testing.T, *testing.B and
// *testing.F satisfy it. Skipf and Fatalf must stop the calling goroutine,
// as runtime.Goexit does, which is why the helpers must be called from the
// goroutine running the test.
type TB interface {
	Helper()
	Name() string
	Context() context.Context
	Cleanup(func())
	Attr(key, value string)
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}
