package core

import (
	"slices"

	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/tidwall/gjson"
)

// unknownFields returns the fields q names that no resource in list has,
// each with the nearest field name the resources do have.
func unknownFields(list []provider.Resource, q *query.Query) []UnknownField {
	var unknown []UnknownField
	var known []string
	for _, f := range q.Fields() {
		if anyHasPath(list, f) {
			continue
		}
		if known == nil {
			known = fieldPaths(list)
		}
		unknown = append(unknown, UnknownField{Field: f, Suggestion: nearest(f, known)})
	}
	return unknown
}

// anyHasPath reports whether some resource has the field path, walked
// as requirements walk it.
func anyHasPath(list []provider.Resource, path string) bool {
	exists, err := query.New(map[string]any{path: map[string]any{"$exists": true}})
	if err != nil {
		return true // not a path a resource could have: nothing to suggest
	}
	return slices.ContainsFunc(list, func(r provider.Resource) bool { return exists.Match(r.JSON()) })
}

// fieldPaths lists every field path the resources have, nested objects
// and objects in arrays included, without duplicates.
func fieldPaths(list []provider.Resource) []string {
	seen := map[string]bool{}
	var paths []string
	var walk func(prefix string, v gjson.Result)
	walk = func(prefix string, v gjson.Result) {
		switch {
		case v.IsObject():
			v.ForEach(func(k, child gjson.Result) bool {
				p := join(prefix, k.String())
				if !seen[p] {
					seen[p] = true
					paths = append(paths, p)
				}
				walk(p, child)
				return true
			})
		case v.IsArray():
			v.ForEach(func(_, child gjson.Result) bool { walk(prefix, child); return true })
		}
	}
	for _, r := range list {
		walk("", gjson.Parse(r.JSON()))
	}
	return paths
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// nearest returns the candidate closest to name by edit distance, or ""
// when none is close enough to be a likely typo.
func nearest(name string, candidates []string) string {
	best, bestDist := "", len(name)/3+2
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
