package core

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// resources 0..n-1 are called r0, r1, ...
func rid(r int) string { return "r" + strconv.Itoa(r) }

func allFree(int) bool { return true }

func one(id string, fit ...int) ticketFit { return ticketFit{id: id, fit: [][]int{fit}} }

func TestArbitrateServesInQueueOrder(t *testing.T) {
	queue := []ticketFit{one("a", 0, 1), one("b", 0, 1), one("c", 0, 1)}
	free := func(r int) bool { return r == 1 } // one free resource
	assert.Equal(t, []int{1}, arbitrate(queue, 0, rid, free), "the first gets it")
	assert.Nil(t, arbitrate(queue, 1, rid, free), "the second waits")
	assert.Nil(t, arbitrate(queue, 2, rid, free))
	first, second := arbitrate(queue, 0, rid, allFree), arbitrate(queue, 1, rid, allFree)
	assert.Len(t, first, 1)
	assert.Len(t, second, 1)
	assert.NotEqual(t, first, second, "with two free, the second gets the other")
	assert.Nil(t, arbitrate(queue, 2, rid, allFree))
}

// A waiter is never held back by one ahead that fits other resources.
func TestArbitrateDisjointRequirementsDoNotBlock(t *testing.T) {
	queue := []ticketFit{one("iphone", 5), one("dev1", 0)}
	assert.Equal(t, []int{0}, arbitrate(queue, 1, rid, func(r int) bool { return r == 0 }))
}

// An earlier waiter that fits both takes the one a later waiter does not
// need, so that the later waiter for dev1 only is not overtaken.
func TestArbitrateLeavesTheScarceResourceToWhoNeedsIt(t *testing.T) {
	queue := []ticketFit{one("any", 0, 1), one("dev1", 0)}
	assert.Equal(t, []int{1}, arbitrate(queue, 0, rid, allFree), "any takes r1, which nobody behind needs")
	assert.Equal(t, []int{0}, arbitrate(queue, 1, rid, allFree))
}

// A multi-resource waiter that cannot have all it needs keeps what it
// can have from later waiters: it is served in its turn.
func TestArbitrateReservesForAnEarlierManyResourceWaiter(t *testing.T) {
	three := ticketFit{id: "three", fit: [][]int{{0, 1, 2}, {0, 1, 2}, {0, 1, 2}}}
	queue := []ticketFit{three, one("single", 0, 1, 2)}
	free := func(r int) bool { return r == 2 }
	assert.Nil(t, arbitrate(queue, 0, rid, free), "one of three is not enough")
	assert.Nil(t, arbitrate(queue, 1, rid, free), "the later single waiter leaves it to the earlier one")
	chosen := arbitrate(queue, 0, rid, allFree)
	assert.ElementsMatch(t, []int{0, 1, 2}, chosen, "all three free: it gets them")
}

// Every waiter comes to the same answer: the choice depends on the queue
// and the resources' ids, not on who asks.
func TestArbitrateIsTheSameForEveryone(t *testing.T) {
	queue := []ticketFit{one("a", 0, 1, 2, 3), one("b", 0, 1, 2, 3)}
	first := arbitrate(queue, 0, rid, allFree)
	for range 20 {
		assert.Equal(t, first, arbitrate(queue, 0, rid, allFree))
	}
	second := arbitrate(queue, 1, rid, allFree)
	assert.NotEqual(t, first, second, "the second does not get what the first gets")
}
