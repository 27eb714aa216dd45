package lockabletest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The tests leave no goroutine behind: each Require closes the Lockable it
// opened, and the watches of lost locks stop with their tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
