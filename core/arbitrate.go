package core

import (
	"cmp"
	"hash/fnv"
	"slices"
)

// The queue's rule: a free resource goes to the waiter that asked first,
// among those of the highest priority, whose requirements it fits. Every
// waiter applies it to the same queue and comes to the same answer, so
// only the waiter a free resource is for tries to take it; the lock
// itself (flock, etcd's transaction) still decides who gets it, should
// two waiters see the queue differently for a moment, or should a holder
// that does not queue (the Python lockable) take it first.
//
// The queue is walked in order, and each waiter's requirements are given
// free resources as a maximum matching grows: a waiter gets a free
// resource it fits if that can be done without taking one from a waiter
// ahead of it, though a waiter ahead may be moved to another free
// resource that it fits just as well. So an earlier waiter that fits two
// free resources leaves to a later one the resource that only the later
// one fits, and a waiter is never held back by one ahead that fits other
// resources. A waiter for several resources that can have only some of
// them now keeps those from the waiters behind it, whether it can have
// all it needs now or not: it is served in its turn, rather than starved
// by a stream of smaller jobs. It takes them only once it can have all.
//
// Where the rule leaves a choice, each waiter visits resources in an
// order of its own, the same in every process, that spreads wear.

// ticketFit is one waiter of the queue as the rule sees it: the resources
// each of its requirements fits, by index into the resources list.
type ticketFit struct {
	id  string  // the ticket's id, for its order of visiting
	fit [][]int // per requirement
}

// arbitrate walks the queue and returns the resources the waiter at self
// gets, one per requirement, or nil when the free ones are not enough for
// all of them. queue holds every waiter in queue order, self included;
// free tells the resources that are free now. It is asked of each
// resource at most once, and only of resources some waiter fits.
func arbitrate(queue []ticketFit, self int, ids func(int) string, free func(int) bool) []int {
	var fit []*order
	first := make([]int, len(queue)+1) // waiter k's requirements are fit[first[k]:first[k+1]]
	for k, t := range queue {
		first[k] = len(fit)
		for _, f := range t.fit {
			fit = append(fit, visiting(t.id, f, ids))
		}
	}
	first[len(queue)] = len(fit)
	known := map[int]bool{}
	usable := func(r int) bool {
		ok, seen := known[r]
		if !seen {
			ok = free(r)
			known[r] = ok
		}
		return ok
	}
	a := assignment{fit: fit, usable: usable, owner: map[int]int{}}
	for i := range fit {
		a.augment(i, map[int]bool{})
	}
	chosen := make([]int, 0, first[self+1]-first[self])
	mine := map[int]int{} // requirement: resource
	for r, i := range a.owner {
		mine[i] = r
	}
	for i := first[self]; i < first[self+1]; i++ {
		r, ok := mine[i]
		if !ok {
			return nil
		}
		chosen = append(chosen, r)
	}
	return chosen
}

// visiting returns the order in which ticket visits the resources of f:
// by a hash of its id and theirs.
func visiting(ticket string, f []int, ids func(int) string) *order {
	items := slices.Clone(f)
	rank := make(map[int]uint64, len(items))
	for _, r := range items {
		rank[r] = tieBreak(ticket, ids(r))
	}
	slices.SortFunc(items, func(a, b int) int { return cmp.Compare(rank[a], rank[b]) })
	return inOrder(items)
}

// tieBreak orders resources for one ticket, the same way in every
// process: a hash of both ids.
func tieBreak(ticket, resource string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(ticket))
	h.Write([]byte{0})
	h.Write([]byte(resource))
	return h.Sum64()
}

// union returns every resource of the fit sets, each once.
func union(fit [][]int) []int {
	var all []int
	for _, f := range fit {
		all = append(all, f...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}
