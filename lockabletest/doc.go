// Package lockabletest brings lab resources into go test: a test states in
// one line what it needs, and the resource is allocated, recorded on the
// test and released however the test ends.
//
//	func TestFlash(t *testing.T) {
//		phone := lockabletest.Require(t, `{"os": "android", "ram_gb": {"$gte": 8}}`)
//		flash(t, phone.Get("serial").String())
//	} // released by t.Cleanup, whatever the outcome
//
// # Contract
//
// What is held: Require holds one resource that fits the requirements,
// exclusively, from the call until the test ends; RequireMany holds one
// distinct resource per requirement, all or nothing. The requirements are
// either form the query package parses, with the core package's defaults
// (the resource is on this host and online unless they say otherwise).
// A Fleet holds a named set of resources for a whole test binary: Main
// takes them before the tests run and gives them back after.
//
// Where: every hold is a lock file in the lock folder, as the core
// package describes, so that tests, other test processes (each package of
// a go test ./... is one), the lockable command and the Python lockable on
// the same host never hold one resource at once. All the tests of a
// process share one core.Lockable made from the environment on first use
// (one resources list, one set of holds); parallel tests each get their
// own resource and queue for one when all that fit are held.
//
// What releases it: t.Cleanup, however the test ends: pass, failure,
// t.Fatal, t.Skip or panic. For a Fleet, Main, after m.Run returns. When
// the test binary dies without running them (kill -9, a -timeout panic,
// os.Exit, a panic that ends the process before Main returns), the
// operating system drops its locks: nothing stays held.
//
// The helpers take a TB (a *testing.T, *testing.B or *testing.F) and must
// be called from the goroutine running the test: when the resources
// cannot be had they call t.Skipf or t.Fatalf, which stop that goroutine.
//
// # Skip or fail
//
// When a test cannot have its resources, a Policy decides:
//
//   - no resources list configured or found (a laptop without the lab):
//     the test skips, saying how to configure one;
//   - a lab is configured, but no resource fits, none comes free before
//     the timeout, or the list cannot be read: the test fails, so that CI
//     never passes by skipping;
//   - a mistake (invalid requirements, an invalid variable, an invalid
//     resources list or a missing resources file): the test fails,
//     whatever the policy, with a message naming it.
//
// LOCKABLE_ON_UNAVAILABLE=fail makes the first case fail too (set it in CI);
// LOCKABLE_ON_UNAVAILABLE=skip makes the second skip. WithPolicy, in the
// code, overrides the variable.
//
// # Configuration
//
// These variables configure the Lockable without code changes, so that
// go test ./... and gotestsum run unchanged in CI:
//
//   - LOCKABLE_RESOURCES: the resources list, a file or an http(s) URL.
//     A relative path is looked up from the package directory up to the
//     module root. Default: resources.json, looked up the same way.
//   - LOCKABLE_LOCK_FOLDER: the lock folder; a relative path is taken
//     from the module root, so that all packages share it. Default: the
//     OS temp dir, as the Python lockable's.
//   - LOCKABLE_HOSTNAME: the host whose resources are local. Default: the
//     machine's hostname.
//   - LOCKABLE_TIMEOUT: how long to wait for resources, in seconds (30,
//     0.5) or as a Go duration (90s, 5m); 0 tries once. Default:
//     DefaultTimeout. The wait always ends before the test binary's
//     -timeout deadline.
//   - LOCKABLE_REQUIREMENTS: extra conditions added to every requirement,
//     in either form, such as rack=B.
//   - LOCKABLE_ON_UNAVAILABLE: skip or fail (see above).
//
// The variables are read once per test process. WithLockable replaces
// them all: a test that passes its own core.Lockable reads none.
//
// # What a test records and logs
//
// Require records the resource on the test with t.Attr, which go test
// -json reports as "attr" events and gotestsum's JUnit report
// (--junitfile) as properties of the test case:
//
//	lockable.resource.id      the resource id
//	lockable.allocation.id    the allocation id, as in the lock file
//	lockable.resource.<path>  each field asked for with WithAttr
//
// RequireMany records the same keys, with the values of its resources in
// order, separated by spaces. Fleet.Get records
// lockable.fleet.<name>.resource.id and so on. Each allocation is also one
// line of the test's log (t.Logf): what was taken, for which requirements
// and how long it queued. The core.Lockable's own log is left discarded;
// the timeout and no-fit messages carry its explanations instead.
package lockabletest
