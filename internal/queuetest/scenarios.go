package queuetest

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Host is the hostname of the scenarios' resources: Backend.Open and
// Command must give their Lockables this hostname.
const Host = "queue-host"

func phone(id string) map[string]any {
	return map[string]any{"id": id, "hostname": Host, "online": true, "type": "phone"}
}

// Run runs every scenario on b, each as a subtest.
func Run(t *testing.T, b Backend) {
	t.Run("arrival order", func(t *testing.T) { ArrivalOrder(t, b) })
	t.Run("priority overtakes", func(t *testing.T) { PriorityOvertakes(t, b) })
	t.Run("disjoint requirements do not block", func(t *testing.T) { DisjointDoNotBlock(t, b) })
	t.Run("killed waiter is skipped", func(t *testing.T) { KilledWaiterIsSkipped(t, b) })
	t.Run("many-resource waiter is served in turn", func(t *testing.T) { ManyInTurn(t, b) })
	t.Run("no ticket left behind", func(t *testing.T) { NoTicketLeft(t, b) })
}

// ArrivalOrder: waiters that arrive one after the other for one resource
// are served in that order.
func ArrivalOrder(t *testing.T, b Backend) {
	s := newScene(t, b, phone("phone-0"))
	held := s.hold("type=phone")
	var names []string
	var ws []*waiter
	for i := range 5 {
		name := fmt.Sprintf("w%d", i)
		names = append(names, name)
		ws = append(ws, s.start(wait{name: name, reqs: []string{"type=phone"}}))
	}
	require.NoError(t, held[0].Unlock())
	for _, w := range ws {
		w.finish(t)
	}
	assert.Equal(t, names, s.order())
}

// PriorityOvertakes: a waiter of a higher priority is served before the
// waiters of lower ones that came before it; among equals, arrival order.
func PriorityOvertakes(t *testing.T, b Backend) {
	s := newScene(t, b, phone("phone-0"))
	held := s.hold("type=phone")
	var ws []*waiter
	for i, p := range []int{0, 0, 5, 0, 5, -1} {
		ws = append(ws, s.start(wait{name: fmt.Sprintf("w%d", i), reqs: []string{"type=phone"}, priority: p}))
	}
	require.NoError(t, held[0].Unlock())
	for _, w := range ws {
		w.finish(t)
	}
	assert.Equal(t, []string{"w2", "w4", "w0", "w1", "w3", "w5"}, s.order())
}

// DisjointDoNotBlock: a waiter is not held back by an earlier one whose
// requirements the free resource does not fit.
func DisjointDoNotBlock(t *testing.T, b Backend) {
	tablet := map[string]any{"id": "tablet-0", "hostname": Host, "online": true, "type": "tablet"}
	s := newScene(t, b, phone("phone-0"), tablet)
	held := s.hold("type=phone")
	first := s.start(wait{name: "phone-waiter", reqs: []string{"type=phone"}})
	second := s.start(wait{name: "tablet-waiter", reqs: []string{"type=tablet"}})
	second.expect(t, "got")
	second.finish(t)
	s.untilQueue(0, "phone-waiter") // still waiting: the phone is held
	require.NoError(t, held[0].Unlock())
	first.finish(t)
	assert.Equal(t, []string{"tablet-waiter", "phone-waiter"}, s.order())
}

// KilledWaiterIsSkipped: a waiter killed with SIGKILL leaves the queue
// by itself, and the waiter behind it is served next.
func KilledWaiterIsSkipped(t *testing.T, b Backend) {
	s := newScene(t, b, phone("phone-0"))
	held := s.hold("type=phone")
	w0 := s.start(wait{name: "w0", reqs: []string{"type=phone"}})
	w1 := s.start(wait{name: "w1", reqs: []string{"type=phone"}})
	w2 := s.start(wait{name: "w2", reqs: []string{"type=phone"}})
	require.NoError(t, w1.cmd.Process.Signal(syscall.SIGKILL))
	w1.stop(t)
	s.untilQueue(b.DeadWaiterBound, "w0", "w2")
	require.NoError(t, held[0].Unlock())
	w0.finish(t)
	w2.finish(t)
	assert.Equal(t, []string{"w0", "w2"}, s.order())
}

// ManyInTurn: a waiter for two resources, behind one for one and ahead
// of two more, is served in its turn. Once one resource is free it keeps
// it from the waiters behind it, which fit it too, until the other is
// free: it neither starves nor holds one while it waits.
func ManyInTurn(t *testing.T, b Backend) {
	s := newScene(t, b, phone("phone-0"), phone("phone-1"))
	held := s.hold("id=phone-0", "id=phone-1")
	first := s.start(wait{name: "single-0", reqs: []string{"type=phone"}, untilTold: true})
	many := s.start(wait{name: "pair", reqs: []string{"type=phone", "type=phone"}})
	behind := []*waiter{
		s.start(wait{name: "single-1", reqs: []string{"type=phone"}}),
		s.start(wait{name: "single-2", reqs: []string{"type=phone"}}),
	}
	require.NoError(t, held[0].Unlock())
	first.expect(t, "got")
	require.NoError(t, held[1].Unlock())
	// phone-1 is free, and the pair's: the singles behind it wait.
	s.untilQueue(0, "pair", "single-1", "single-2")
	first.release(t)
	many.finish(t)
	for _, w := range behind {
		w.finish(t)
	}
	order := s.order()
	require.Len(t, order, 4)
	assert.Equal(t, []string{"single-0", "pair"}, order[:2])
	// The pair releases both at once: the singles get one each.
	assert.ElementsMatch(t, []string{"single-1", "single-2"}, order[2:])
}

// NoTicketLeft: a waiter that times out or is interrupted leaves no
// ticket behind, nor does one that was served.
func NoTicketLeft(t *testing.T, b Backend) {
	s := newScene(t, b, phone("phone-0"))
	held := s.hold("type=phone")
	late := s.start(wait{name: "times-out", reqs: []string{"type=phone"}, timeout: 500 * time.Millisecond})
	msg := late.expect(t, "error")
	assert.Contains(t, msg, "timed out")
	late.finish(t)
	gone := s.start(wait{name: "interrupted", reqs: []string{"type=phone"}})
	require.NoError(t, gone.cmd.Process.Signal(syscall.SIGINT))
	gone.stop(t)
	served := s.start(wait{name: "served", reqs: []string{"type=phone"}})
	s.untilQueue(b.DeadWaiterBound, "served")
	require.NoError(t, held[0].Unlock())
	served.finish(t)
	s.untilQueue(0)
}
