// Package etcd holds lockable's locks in etcd, so that many hosts share
// one lab. Importing it registers the etcd:// scheme for
// core.WithBackend, LOCKABLE_BACKEND and the command line's --backend:
//
//	import _ "github.com/go-lockable/lockable/etcd"
//
//	lk, err := core.New(ctx, src, core.WithBackend("etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/lab?ttl=10s"))
//
// # URL
//
// etcd://[user:password@]host[:port][,host[:port]...][/prefix][?ttl=10s&timeout=5s].
// The port defaults to 2379, the prefix to /lockable, the ttl to 10s
// (whole seconds, at least 1s), the timeout of one request to 5s. Every
// lockable that shares a lab uses the same prefix.
//
// # Contract
//
// Resource id is held by whoever created the key <prefix>/res/<id>. A
// lock is a transaction that creates the key only if it is absent
// (CreateRevision == 0), attached to a lease of its own that the holder
// renews every third of the TTL; the key's value is the holder's
// description (core.Holder as JSON). Release revokes the lease, which
// deletes the key in the same write if it still carries that lease, and
// leaves it alone if it does not (a release after the lock was lost).
//
// When the holder stops renewing — it crashed, was frozen, or lost etcd
// for longer than the TTL — etcd deletes the key when the lease expires,
// and the resource is free again. The holder keeps its own deadline: the
// time it sent its last successful renewal plus the TTL, which is never
// later than etcd's. Past it, the allocation is lost: its Lost channel is
// closed and its Err reports core.ErrLost, checked at every call, so a
// process that was frozen learns of the loss at its first call, before
// doing anything else through lockable. Two holders never both believe
// they hold a resource.
//
// The fencing token is the key's create revision: etcd's revision is
// one counter for the whole cluster, so every later lock of a resource
// has a larger token.
//
// Waiting: Lock reads all lock keys in one request, and the queue in
// another: one key per waiter, <prefix>/queue/<id>, on a lease of the
// waiter's own, ordered within a priority by its create revision. When
// it must wait, it waits on one watch of the prefix, established before
// it looks once more, so no release is missed and nothing polls etcd. A watch that ends (the server
// restarted, the history was compacted) is started again and wakes the
// waiters.
//
// # Protocol
//
// lockable speaks etcd's v3 JSON API: the gRPC gateway that etcd serves
// on its client port, on by default since etcd 3.4 (--enable-grpc-gateway),
// with plain HTTP/1.1 requests of the standard library. Neither the
// library nor the lockable command links gRPC. Each call is one POST to
// /v3/..., sent to the members in the URL's order: a member that cannot
// be reached, has no leader or fails is passed over, and the one that
// answers gets the next calls. Renewing a lease is one keepalive POST;
// the watch is one POST whose answer streams the deletes.
//
// With user:password in the URL, lockable authenticates once, sends the
// token with every request, and authenticates again when etcd refuses
// the token (it expired). The password is never shown.
//
// Every request is bounded by the timeout; New fails when etcd does not
// answer within it.
package etcd
