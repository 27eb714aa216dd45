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
	phoneSub := e.Subscribe(Interest{Resources: map[string]bool{"phone": true}})
	defer phoneSub.Stop()
	ticketSub := e.Subscribe(Interest{Tickets: map[string]bool{"t1": true}})
	all := e.Subscribe(Interest{All: true})
	defer all.Stop()
	phone, ticket := phoneSub.Changed(), ticketSub.Changed()
	assert.Equal(t, 1, e.Publish(Event{Resource: "tablet"}), "only who follows everything")
	assert.False(t, pending(phone))
	assert.False(t, pending(ticket))
	assert.True(t, pending(all.Changed()))
	e.Publish(Event{Resource: "phone"})
	e.Publish(Event{Resource: "phone"}) // coalesced with the first
	assert.True(t, pending(phone))
	assert.False(t, pending(phone), "one pending value stands for both")
	assert.False(t, pending(ticket))
	e.Publish(Event{Resource: "phone", Taken: true})
	assert.False(t, pending(phone), "a take frees nothing: waiters do not want it")
	assert.True(t, pending(all.Changed()))
	e.Publish(Event{All: true})
	assert.True(t, pending(phone), "All reaches everyone")
	assert.True(t, pending(ticket))
	ticketSub.Want(Interest{Tickets: map[string]bool{"t2": true}})
	e.Publish(Event{Ticket: "t1"})
	assert.False(t, pending(ticket), "no longer wanted")
	e.Publish(Event{Ticket: "t2"})
	assert.True(t, pending(ticket))
	ticketSub.Stop()
	e.Publish(Event{Ticket: "t2"})
	assert.False(t, pending(ticket), "nothing after Stop")
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
	sub := w.Subscribe(t.Context(), 10*time.Millisecond, Interest{})
	assert.False(t, pending(sub.Changed()))
	close(establish)
	select {
	case <-sub.Changed():
	case <-time.After(10 * time.Second):
		t.Fatal("no All event once the watch was established")
	}
	sub.Stop()
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
	sub1 := w.Subscribe(t.Context(), time.Second, Interest{All: true})
	sub2 := w.Subscribe(t.Context(), time.Second, Interest{All: true})
	require.Len(t, runs, 1, "one watch for both")
	sub1.Stop()
	assert.Len(t, ended, 0, "still watched by the second")
	sub2.Stop()
	w.Close()
	assert.Len(t, ended, 1, "the last stop ends it; Close waits for it")
}
