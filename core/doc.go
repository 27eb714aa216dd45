// Package core allocates resources to one holder at a time.
//
// Each resource has one lock file, <lock folder>/<id>.pid, held with an OS
// file lock by the holder for exactly as long as it holds the resource.
// The kernel drops the lock when the holder exits in any way, kill -9
// included, so there are no stale locks to clean up.
package core
