package core

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHolderJSONCarriesTheQueueTimeInSeconds(t *testing.T) {
	h := Holder{AllocationID: "a1", Resource: "phone-0", PID: 42, Owner: "TestFlash", Queued: 1500 * time.Millisecond}
	out, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"allocation_id":"a1","resource":"phone-0","pid":42,"owner":"TestFlash","queued_seconds":1.5}`, string(out))

	var back Holder
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, h, back)

	// An older lockable's lock says nothing of the wait: 0.
	older := holderOf(lockbackend.Entry{Held: true, Desc: []byte(`{"allocation_id":"a2","pid":7}`)})
	assert.Equal(t, Holder{AllocationID: "a2", PID: 7}, older)
}
