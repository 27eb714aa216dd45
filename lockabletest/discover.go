package lockabletest

import (
	"fmt"
	"os"
	"path/filepath"
)

// defaultResources is the resources file looked for when
// LOCKABLE_RESOURCES is not set.
const defaultResources = "resources.json"

// searchPath is the directories a relative resources path is looked up
// in: the package directory (the working directory of a test) and its
// parents up to the module root, the directory with go.mod. Without a
// module, only the package directory.
type searchPath struct {
	dir, root string
}

func newSearchPath(dir string) searchPath {
	return searchPath{dir: dir, root: moduleRoot(dir)}
}

// find returns the first existing file named rel, nearest first.
func (s searchPath) find(rel string) (string, bool) {
	for d := range s.dirs() {
		path := filepath.Join(d, rel)
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			return path, true
		}
	}
	return "", false
}

// dirs yields the package directory, then its parents up to the root.
func (s searchPath) dirs() func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for d := s.dir; yield(d); d = filepath.Dir(d) {
			if s.root == "" || d == s.root || filepath.Dir(d) == d {
				return
			}
		}
	}
}

// base is where a relative lock folder is: the module root, the same for
// every package of the module, so that they all share one lock folder.
func (s searchPath) base() string {
	if s.root != "" {
		return s.root
	}
	return s.dir
}

func (s searchPath) String() string {
	if s.root == "" || s.root == s.dir {
		return s.dir
	}
	return fmt.Sprintf("%s and its parents up to %s", s.dir, s.root)
}

// moduleRoot returns the nearest directory from dir up that holds go.mod,
// or "" when there is none.
func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
