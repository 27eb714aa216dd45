package lockbackend

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pending(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestEventsReachOnlyTheInterested(t *testing.T) {
	var e Events
	phone, stopPhone := e.Subscribe(func(ev Event) bool { return ev.Resource == "phone" })
	defer stopPhone()
	ticket, stopTicket := e.Subscribe(func(ev Event) bool { return ev.Ticket == "t1" })
	e.Publish(Event{Resource: "tablet"})
	assert.False(t, pending(phone))
	assert.False(t, pending(ticket))
	e.Publish(Event{Resource: "phone"})
	e.Publish(Event{Resource: "phone"}) // coalesced with the first
	assert.True(t, pending(phone))
	assert.False(t, pending(phone), "one pending value stands for both")
	assert.False(t, pending(ticket))
	e.Publish(Event{All: true})
	assert.True(t, pending(phone), "All reaches everyone")
	assert.True(t, pending(ticket))
	stopTicket()
	e.Publish(Event{Ticket: "t1"})
	assert.False(t, pending(ticket), "nothing after stop")
}

// A watch established after Subscribe gave up waiting tells everyone to
// look again: a change may have gone unseen meanwhile.
func TestWatcherEstablishedLateTellsAll(t *testing.T) {
	establish := make(chan struct{})
	var w Watcher
	w.Run = func(ctx context.Context, ready func()) {
		select {
		case <-establish:
			ready()
		case <-ctx.Done():
			return
		}
		<-ctx.Done()
	}
	changed, stop := w.Subscribe(t.Context(), 10*time.Millisecond, func(Event) bool { return false })
	assert.False(t, pending(changed))
	close(establish)
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no All event once the watch was established")
	}
	stop()
	w.Close()
}

func TestWatcherRunsWhileAnyoneSubscribes(t *testing.T) {
	runs := make(chan struct{}, 10)
	ended := make(chan struct{}, 10)
	var w Watcher
	w.Run = func(ctx context.Context, ready func()) {
		runs <- struct{}{}
		ready()
		<-ctx.Done()
		ended <- struct{}{}
	}
	_, stop1 := w.Subscribe(t.Context(), time.Second, func(Event) bool { return true })
	_, stop2 := w.Subscribe(t.Context(), time.Second, func(Event) bool { return true })
	require.Len(t, runs, 1, "one watch for both")
	stop1()
	assert.Len(t, ended, 0, "still watched by the second")
	stop2()
	w.Close()
	assert.Len(t, ended, 1, "the last stop ends it; Close waits for it")
}
