package core

import (
	"math/rand/v2"
	"slices"
)

// assign finds one distinct resource for each requirement: fit[i] gives
// the resources requirement i accepts, in order of preference; usable
// says which resources may be used at all. It returns the chosen resource
// of each requirement, or nil when no complete assignment exists. It is
// a maximum bipartite matching (augmenting paths), so a requirement that
// only one resource fits never loses it to one that many fit.
func assign(fit []*order, usable func(int) bool) []int {
	chosen, complete := match(fit, usable)
	if !complete {
		return nil
	}
	return chosen
}

// match finds a distinct resource for as many requirements as it can (a
// maximum matching): chosen[i] is requirement i's resource, or -1 when it
// has none; complete reports whether every requirement has one. Each
// requirement takes the first usable resource of its order that it can
// have.
func match(fit []*order, usable func(int) bool) (chosen []int, complete bool) {
	a := assignment{fit: fit, usable: usable, owner: map[int]int{}}
	complete = true
	for i := range fit {
		if !a.augment(i, map[int]bool{}) {
			complete = false
		}
	}
	chosen = make([]int, len(fit))
	for i := range chosen {
		chosen[i] = -1
	}
	for r, i := range a.owner {
		chosen[i] = r
	}
	return chosen, complete
}

type assignment struct {
	fit    []*order
	usable func(int) bool
	owner  map[int]int // resource -> requirement
}

// augment finds requirement i a resource, moving others along an
// alternating path when needed.
func (a *assignment) augment(i int, seen map[int]bool) bool {
	o := a.fit[i]
	for k := range o.len() {
		r := o.at(k)
		if seen[r] || !a.usable(r) {
			continue
		}
		seen[r] = true
		j, taken := a.owner[r]
		if !taken || a.augment(j, seen) {
			a.owner[r] = i
			return true
		}
	}
	return false
}

// order is a list of resources visited in random order. It shuffles
// lazily, one element at a time, so that taking the first free one of a
// thousand candidates costs what a few cost.
type order struct {
	items []int
	fixed int // items[:fixed] are in their final order
}

// inOrder visits items as they are.
func inOrder(items []int) *order { return &order{items: items, fixed: len(items)} }

// randomOrder visits a copy of items in random order.
func randomOrder(items []int) *order { return &order{items: slices.Clone(items)} }

func (o *order) len() int { return len(o.items) }

// at returns the k-th item of the order.
func (o *order) at(k int) int {
	for ; o.fixed <= k; o.fixed++ {
		j := o.fixed + rand.N(len(o.items)-o.fixed)
		o.items[o.fixed], o.items[j] = o.items[j], o.items[o.fixed]
	}
	return o.items[k]
}

// first returns the order with the items that first says yes to moved to
// the front, the rest in their (random) order.
func (o *order) first(first func(int) bool) *order {
	o.at(len(o.items) - 1)
	items := slices.Clone(o.items)
	slices.SortStableFunc(items, func(a, b int) int { return rank(first(a)) - rank(first(b)) })
	return inOrder(items)
}

func rank(first bool) int {
	if first {
		return 0
	}
	return 1
}
