// Package core allocates lab resources to one holder at a time.
//
// # Contract
//
// A [Lockable] takes resources from a [Source] (a resources list; see the
// provider package) and requirements as a compiled [query.Query]. [Lockable.Lock]
// holds one free resource that fits; [Lockable.LockMany] holds one distinct
// resource per requirement, all or nothing; [Lockable.Do] holds one while a
// function runs. Unless the requirements say otherwise about the field,
// a resource must be on this host ("hostname") and "online"; a requirement
// that sets either field replaces that default and null removes it.
//
// What is locked, where, and what releases it: each resource has one lock
// file, <lock folder>/<id>.pid (the folder defaults to one of the user's
// own, DefaultLockFolder; jobs that share a lab must share a folder),
// held with an OS file lock (flock) for exactly as long as the
// [Allocation] is held. The first line of the file is the holder's pid,
// the second one line of JSON describing the holder ([Holder]), written
// through a descriptor that the holder closes only after the unlock;
// release empties the file, unlocks it, closes that descriptor, and
// never deletes the file. The kernel
// drops the lock when the holder exits in any way, kill -9 included, so
// there are no stale locks to clean up: a dead holder's description may
// stay in the file, but the resource is free. The Python lockable uses the
// same file names and the same kind of lock, so the two exclude each other.
// A lock file is opened without following a link and checked by its
// descriptor (a regular file with one name, the user's own in a folder
// every user may write to); after taking a lock, Lock checks that the
// file it locked is still the one at that path (tools that delete lock
// files make this race real). A file the Python lockable is about to
// delete (it unlocks, then deletes) counts as busy until it is gone.
//
// Backends: the lock folder serves one host. [WithBackend] puts the locks
// elsewhere, such as etcd (package github.com/go-lockable/lockable/etcd,
// its own module), so that many hosts share one lab; everything else here
// works the same on it. A lock there lives on a lease: a holder frozen or
// cut off for longer than the lease loses it, and is told through
// [Allocation.Lost] and [Allocation.Err] ([ErrLost]); every allocation
// there carries a [Allocation.FencingToken]. On the lock folder the token
// is 0 and a lock is never lost while its process lives.
//
// Waiting: when nobody waits for what a call fits, Lock tries the
// fitting resources in random order and takes the first free one.
// Otherwise, and whenever it has to wait, it waits in turn in the lab's
// one queue, which every process on the same lock folder or etcd prefix
// shares: a free resource goes to the waiter that asked first, among
// those of the highest priority ([WithPriority]), whose requirements it
// fits; a waiter is never held back by one ahead that cannot use the
// resource, and one for several resources keeps what it can have from
// those behind it until it can have all (it holds no lock meanwhile). A
// waiter's ticket is held by the waiter (a locked file in the lock
// folder's .queue; a key on a lease in etcd), so one that dies leaves
// the queue by itself. [Status] lists the queue ([Waiter]). The Python
// lockable does not queue: it takes what it finds free.
//
// A waiter does not poll: it is woken by the release of a resource that
// it, or a waiter it competes with, fits, or by a waiter ahead leaving,
// through a release in this process at once, through a watch of the lock
// folder (inotify on Linux, which sees a crashed holder's files closed)
// or of etcd for others. Where the system does not tell that a crashed
// holder's files were closed (systems other than Linux), waiters also
// look again after a short, bounded backoff. The resources list is
// reloaded once a second while waiting.
// The context's deadline is the timeout; cancelling it ends the wait at
// once; every request is bounded by it, so Lock returns by the deadline.
// A context that is done already gets one try with what needs no waiting.
// TryLock and TryLockMany never wait.
//
// Lab care: [Lockable.StartMaintenance] takes a resource out of service
// for everyone who shares the lock folder or backend (a record beside the
// locks: <id>.maintenance in the folder, <prefix>/maintenance/<id> in
// etcd), until [Lockable.EndMaintenance] or the end of its window;
// allocation passes it over, a holder keeps it until release, and Status
// shows it ([InMaintenance], [ResourceStatus.Maintenance]). A resource
// whose window ends before the call's deadline is waited for; one in
// maintenance otherwise does not fit now ([NotFoundError.OutOfService]).
// [WithHealthCheck] checks each resource after its lock is taken and
// before the call returns it: one that fails goes into maintenance and the
// call goes on with the next. [WithCleanup] runs on release while the
// lock is held: a failure puts the resource in maintenance before anyone
// else gets it. The Python lockable knows nothing of maintenance records.
//
// Errors: no fitting resource is [ErrNotFound] at once, explained by a
// [*NotFoundError] (the closest resources and what each fails, and field
// names no resource has, with the nearest real one); a deadline is
// [ErrTimeout] and context.DeadlineExceeded, with a [*TimeoutError] that
// says who holds each fitting resource and since when.
//
// A Lockable is safe for concurrent use; many goroutines and many
// Lockables in one process never share a resource, as many processes do
// not. It logs to the *slog.Logger given with [WithLogger], and nowhere by
// default.
//
// # Example
//
//	lk, err := core.New(ctx, provider.File("resources.json"))
//	...
//	defer lk.Close()
//	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
//	defer cancel()
//	phone, err := lk.Lock(ctx, query.MustParse(`{"os": "android", "ram_gb": {"$gte": 8}}`))
//	if err != nil {
//		return err // errors.Is(err, core.ErrNotFound), core.ErrTimeout
//	}
//	defer phone.Unlock()
//	flash(phone.Get("serial").String())
package core
