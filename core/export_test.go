package core

import "os"

// ChildRoles are roles of the test binary that the external tests add.
var ChildRoles = map[string]func() error{}

// ChildEnv is the environment that makes the test binary play role on
// the lab of resources and the lock folder locks.
func ChildEnv(role, resources, locks string) []string {
	return append(os.Environ(), childRole+"="+role, childResources+"="+resources, childLocks+"="+locks, "GORACE=atexit_sleep_ms=0")
}

// ChildLab returns the lab a child was given: its resources file and lock
// folder.
func ChildLab() (resources, locks string) { return os.Getenv(childResources), os.Getenv(childLocks) }
