package core

import (
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// Allocation is one held resource. It is safe for concurrent use.
type Allocation struct {
	owner    *Lockable
	resource provider.Resource
	reqs     *query.Query
	id       string
	start    time.Time
	queued   time.Duration
	lock     lockbackend.Lock
	cleanup  checkSpec // run by Unlock before the release; see WithCleanup

	mu        sync.Mutex
	released  time.Time
	unlocking bool // Unlock was called
}

// ResourceID returns the id of the held resource.
func (a *Allocation) ResourceID() string { return a.resource.ID() }

// Resource returns the held resource as the list described it when it
// was allocated.
func (a *Allocation) Resource() provider.Resource { return a.resource }

// Get returns a field of the resource's description by field path, as
// requirements name fields: "serial", "network.ip", "tags.0".
func (a *Allocation) Get(path string) query.Value { return a.resource.Get(path) }

// Requirements returns the requirements the resource was allocated for,
// defaults included.
func (a *Allocation) Requirements() *query.Query { return a.reqs }

// ID returns the allocation id: unique to this allocation, written into
// the lock so that others can tell who holds the resource.
func (a *Allocation) ID() string { return a.id }

// StartTime returns when the resource was taken.
func (a *Allocation) StartTime() time.Time { return a.start }

// QueueTime returns how long the allocation waited for the resource.
func (a *Allocation) QueueTime() time.Duration { return a.queued }

// ReleaseTime returns when the resource was released, or the zero time
// while it is held.
func (a *Allocation) ReleaseTime() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.released
}

// Duration returns how long the resource was held: until its release,
// or until now while it is held.
func (a *Allocation) Duration() time.Duration {
	end := a.ReleaseTime()
	if end.IsZero() {
		end = time.Now()
	}
	return end.Sub(a.start)
}

// FencingToken returns the allocation's fencing token: a number that is
// larger for every later allocation of the same resource, across all
// hosts. Pass it to the resource with every command, and have the
// resource refuse commands whose token is smaller than the largest it
// has seen: a holder that lost its lock without knowing (a process
// frozen past its lease) then cannot disturb the next holder.
//
// The etcd backend gives the lock key's create revision. The lock folder
// has no counter shared across processes and gives 0: its locks are held
// by the kernel for as long as the process lives, and cannot be lost.
func (a *Allocation) FencingToken() int64 { return a.lock.Token() }

// Lost returns a channel that is closed if the lock is lost while held:
// when its lease expires because the process was frozen, cut off from
// the backend, or the backend was gone for longer than the lease. It is
// nil for the lock folder, whose locks are lost only with the process.
// After a loss another holder may have the resource: stop using it.
func (a *Allocation) Lost() <-chan struct{} { return a.lock.Lost() }

// Err returns nil while the lock is held (and after a normal release),
// and an error matching ErrLost once the lock was lost. It checks the
// lease's deadline itself, so a process that was frozen learns of the
// loss at its first call, before any event could tell it.
func (a *Allocation) Err() error {
	if err := a.lock.Err(); err != nil {
		return fmt.Errorf("%s (allocation %s): %w", a.ResourceID(), a.id, err)
	}
	return nil
}

// ExtraFiles returns the open files that hold the lock, for a child
// process to inherit (exec.Cmd.ExtraFiles): the lock file on the lock
// folder, nothing on etcd, whose lease this process renews. An inherited
// lock stays held until this process releases it with Unlock, or until
// this process and the child have both ended: a child that is to clean
// up after this process dies keeps the resource locked until it is done.
// The child must not close, read or write them before it ends.
func (a *Allocation) ExtraFiles() []*os.File {
	if f, ok := a.lock.(interface{ Files() []*os.File }); ok {
		return f.Files()
	}
	return nil
}

// Unlock releases the resource. Releasing it twice is an error that
// matches ErrNotHeld; releasing a lock that was lost is an error that
// matches ErrLost (the resource is given back all the same). It does not
// wait beyond its backend's bound of one request (etcd's timeout), and
// the bound of its cleanup, when the call that made it had one
// (WithCleanup): a cleanup that fails is an error matching
// ErrCheckFailed, and the resource, in maintenance then, is released all
// the same.
func (a *Allocation) Unlock() error { return a.owner.unlock(a) }

// String describes the allocation for logs.
func (a *Allocation) String() string {
	state := "held"
	if !a.ReleaseTime().IsZero() {
		state = "released"
	}
	return fmt.Sprintf("%s (allocation %s, %s %s)", a.ResourceID(), a.id, state, a.Duration().Round(time.Millisecond))
}

// startUnlock reports whether this is the first Unlock.
func (a *Allocation) startUnlock() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	first := !a.unlocking
	a.unlocking = true
	return first
}

// markReleased records when the allocation was released.
func (a *Allocation) markReleased(at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.released = at
}

// newAllocationID returns a random (version 4) UUID.
func newAllocationID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
