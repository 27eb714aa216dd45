package core

import (
	"slices"
	"strconv"
	"strings"

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

func anyHasPath(list []provider.Resource, path string) bool {
	steps := strings.Split(path, ".")
	return slices.ContainsFunc(list, func(r provider.Resource) bool {
		return hasPath(gjson.Parse(r.JSON()), steps)
	})
}

// hasPath walks steps as the query language does: through objects by key,
// through arrays by index or into every element.
func hasPath(v gjson.Result, steps []string) bool {
	if len(steps) == 0 {
		return true
	}
	switch {
	case v.IsObject():
		found := false
		v.ForEach(func(k, child gjson.Result) bool {
			found = k.String() == steps[0] && hasPath(child, steps[1:])
			return !found
		})
		return found
	case v.IsArray():
		elems := v.Array()
		if n, err := strconv.Atoi(steps[0]); err == nil && n >= 0 && n < len(elems) && hasPath(elems[n], steps[1:]) {
			return true
		}
		return slices.ContainsFunc(elems, func(e gjson.Result) bool { return hasPath(e, steps) })
	}
	return false
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
