package core

// backend is the lock mechanism beneath allocation. The lock folder is
// one; a coordination service with leases is another. Everything above
// this seam (requirements, candidates, assignment, waiting, diagnostics)
// is the same for all.
type backend interface {
	// tryLock takes resource id for h without waiting. It returns nil,
	// nil when someone else holds it.
	tryLock(id string, h Holder) (lock, error)
	// holder tells whether id is held and by whom, as far as is known.
	holder(id string) (Holder, bool, error)
	// changed returns a channel closed when a lock may have been released.
	changed() <-chan struct{}
	// watch asks for changed to notice releases by other processes until
	// stop is called.
	watch() (stop func())
}

// lock is one held resource.
type lock interface {
	// release gives the resource back.
	release() error
}
