// Package a is one of two packages that 'go test ./shared/...' runs as
// separate processes at once; their tests hold phones of one lab.
package a

import (
	"fmt"
	"testing"

	"example.com/labtest/labutil"
	"github.com/go-lockable/lockable/lockabletest"
)

func TestPhones(t *testing.T) {
	for i := range labutil.N("LAB_N", 3) {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			labutil.Use(t, lockabletest.Require(t, `{"type": "phone"}`))
		})
	}
}
