// Package lockabletest brings lab resources into go test.
//
// A test states what it needs in one line; the resource is allocated,
// recorded on the test and released by t.Cleanup however the test ends.
package lockabletest
