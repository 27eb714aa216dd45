package core

import (
	"sync"

	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// maxCached bounds the candidate cache; past it, the cache starts over.
const maxCached = 256

// candidateCache remembers, per requirement, the requirement with
// defaults and which resources fit it, for as long as the source returns
// the same list. Queries are immutable, so a pointer is a sound key.
type candidateCache struct {
	defaults func(*query.Query) *query.Query // adds the default requirements

	mu      sync.Mutex
	entries map[*query.Query]*cacheEntry
}

type cacheEntry struct {
	full    *query.Query
	list    []provider.Resource
	fitting []int // indices into list
}

func newCandidateCache(defaults func(*query.Query) *query.Query) *candidateCache {
	return &candidateCache{defaults: defaults, entries: map[*query.Query]*cacheEntry{}}
}

func (c *candidateCache) entry(q *query.Query) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[q]; ok {
		return e
	}
	if len(c.entries) >= maxCached {
		clear(c.entries)
	}
	e := &cacheEntry{full: c.defaults(q)}
	c.entries[q] = e
	return e
}

// full returns q with the default requirements added.
func (c *candidateCache) full(q *query.Query) *query.Query {
	return c.entry(q).full
}

// fitting returns the indices of the resources in list that fit q with
// defaults.
func (c *candidateCache) fitting(list []provider.Resource, q *query.Query) []int {
	e := c.entry(q)
	c.mu.Lock()
	if sameList(e.list, list) {
		defer c.mu.Unlock()
		return e.fitting
	}
	c.mu.Unlock()
	fitting := matching(list, e.full)
	c.mu.Lock()
	e.list, e.fitting = list, fitting
	c.mu.Unlock()
	return fitting
}

func matching(list []provider.Resource, q *query.Query) []int {
	var fit []int
	for i, r := range list {
		if q.Match(r.JSON()) {
			fit = append(fit, i)
		}
	}
	return fit
}

// sameList reports whether a and b are the very same slice.
func sameList(a, b []provider.Resource) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
