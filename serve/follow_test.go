package serve

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSettleBackoffDoublesThenGivesUp(t *testing.T) {
	f := &follower{}
	assert.Zero(t, f.settleBackoff(false, 0), "every lock described: no hurry")
	assert.Zero(t, f.settleBackoff(false, 64*time.Millisecond))
	assert.Equal(t, minSettle, f.settleBackoff(true, 0))
	assert.Equal(t, 128*time.Millisecond, f.settleBackoff(true, 64*time.Millisecond))
	assert.Equal(t, maxSettle, f.settleBackoff(true, maxSettle/2))
	assert.Zero(t, f.settleBackoff(true, maxSettle), "a lock that never says who holds it waits for the next change")
}
