package main

// The command line links every lock backend, so that --backend and
// LOCKABLE_BACKEND take any of them.
import _ "github.com/go-lockable/lockable/etcd"
