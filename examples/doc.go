// Package examples is a runnable hardware test suite written with
// lockabletest, run against the bundled resources.json.
package examples
