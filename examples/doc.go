// Package examples is a hardware test suite written with lockabletest, as
// a lab's own suite would be; it runs against the bundled resources.json
// as part of go test ./...
//
// The package's TestMain holds the lab's gateway for the whole run (a
// lockabletest.Fleet); each test takes the phones it needs with
// lockabletest.Require, and parallel subtests each get their own phone.
// The tests check what the lab's description says of the devices, where
// a real suite would talk to them.
//
// The suite holds its locks in the lock folder. A lab's own suite that
// many CI hosts share runs on etcd instead, with LOCKABLE_BACKEND set to
// an etcd:// URL and the backend linked by one _test.go file of the
// package (import _ "github.com/go-lockable/lockable/etcd"). This package
// cannot: it is part of the lockable module, which does not require the
// etcd backend's, so that users of the lock folder never build etcd's
// client.
package examples
