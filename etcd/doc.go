// Package etcd holds lockable's locks in etcd, so that many hosts share
// one lab. Importing it registers the etcd:// scheme of
// core.WithBackend, LOCKABLE_BACKEND and the command line's --backend.
package etcd
