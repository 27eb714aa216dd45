// Package examples is a hardware test suite written with lockabletest, as
// a lab's own suite would be; it runs against the bundled resources.json
// as part of go test ./...
//
// The package's TestMain holds the lab's gateway for the whole run (a
// lockabletest.Fleet); each test takes the phones it needs with
// lockabletest.Require, and parallel subtests each get their own phone.
// The tests check what the lab's description says of the devices, where
// a real suite would talk to them.
package examples
