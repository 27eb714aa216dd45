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
// the same host, given one lock folder, never hold one resource at once.
// With LOCKABLE_BACKEND set to an etcd URL, every hold is a key in etcd on
// a lease instead, and test runs on many hosts share one lab (see
// Backends). Parallel tests each get their own resource and queue for one
// when all that fit are held.
//
// What releases it: t.Cleanup, however the test ends: pass, failure,
// t.Fatal, t.Skip or panic. For a Fleet, Main, after m.Run returns. When
// the test binary dies without running them (kill -9, a -timeout panic,
// os.Exit, a panic that ends the process before Main returns), the
// operating system drops its locks (etcd, when the lease expires, within
// its TTL): nothing stays held.
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
//     resources list, a missing resources file, a LOCKABLE_BACKEND that
//     is not linked into the test binary or cannot be used): the test
//     fails, whatever the policy, with a message naming it. A backend
//     that does not answer in time is a lab that cannot be read, the
//     second case.
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
//     from the module root, so that all packages share it. Default: a
//     folder of the user's own (core.DefaultLockFolder); jobs of other
//     users, and the Python lockable, share locks only in a folder given
//     to all of them.
//   - LOCKABLE_HOSTNAME: the host whose resources are local. Default: the
//     machine's hostname.
//   - LOCKABLE_TIMEOUT: how long to wait for resources, in seconds (30,
//     0.5) or as a Go duration (90s, 5m); 0 tries once. Default:
//     DefaultTimeout. The wait always ends before the test binary's
//     -timeout deadline.
//   - LOCKABLE_REQUIREMENTS: extra conditions added to every requirement,
//     in either form, such as rack=B.
//   - LOCKABLE_BACKEND: where the locks are held; empty for the lock
//     folder, or etcd://host1:2379,host2:2379/prefix?ttl=10s (see
//     Backends).
//   - LOCKABLE_ON_UNAVAILABLE: skip or fail (see above).
//   - LOCKABLE_PRIORITY: the tests' priority among the lab's waiters, a
//     whole number, higher first; default 0 (see WithPriority). A release
//     build's job sets it to go before the others' without code changes.
//   - LOCKABLE_HEALTH_CHECK, LOCKABLE_HEALTH_CHECK_TIMEOUT,
//     LOCKABLE_HEALTH_CHECK_FROM_LIST, LOCKABLE_CLEANUP,
//     LOCKABLE_CLEANUP_TIMEOUT: lab care (see below).
//
// The variables are read at each call, so t.Setenv applies, and each call
// opens a core.Lockable of its own, which it closes when the test ends
// (a fleet's, when Main returns). WithLockable replaces them all: a test
// that passes its own core.Lockable reads none.
//
// # Backends
//
// The lock folder serves one host. For a lab that CI runners on many
// hosts share, LOCKABLE_BACKEND=etcd://host1:2379,host2:2379/lab selects
// the etcd backend, with no change to the tests. The test binary must
// link it: the etcd backend is a module of its own, so that tests on the
// lock folder never build its client. Import it in one _test.go file of
// each package whose tests run on etcd:
//
//	import _ "github.com/go-lockable/lockable/etcd"
//
// Without that import, LOCKABLE_BACKEND=etcd://... is a mistake: every
// Require of the package fails, whatever the policy, with the import to
// add.
//
// # Lost locks
//
// A lock on a lease (etcd's) is lost when the lease expires while the
// test holds it: the test process was frozen, or cut off from etcd, for
// longer than the lease's TTL. Another holder may then have the resource.
// Require and RequireMany watch their locks while the test runs, and fail
// the test at once with t.Errorf, once, saying which resource was lost
// and that the test's results cannot be trusted; the test goes on to its
// end, since only its own goroutine may stop it. A loss that the release
// at the end discovers fails the test the same way, not twice. The
// watch stops before the test ends (in the cleanup, before the release).
// The lock folder's locks are lost only with the process: nothing is
// watched.
//
// A Fleet is held for the whole test binary. A member lost while the
// tests run is reported at once on standard output, and Main's exit code
// is then 1 even when every test passed. A test that holds it from
// Fleet.Get when it is lost fails at once, as with Require; a later
// Fleet.Get of it fails the calling test, whatever the policy.
//
// # Lab care
//
// A lab's flaky devices are taken out of service, for every test run
// that shares the lock folder or backend, with the lockable command's
// "lockable maintain" or core.Lockable.StartMaintenance: Require passes
// them over. WithHealthCheck (or LOCKABLE_HEALTH_CHECK) runs a command,
// with the resource's variables, on each resource before the test gets
// it: one that fails is put in maintenance, with the command's exit
// status and last lines of output as the note, and the test gets the
// next. WithCleanup (LOCKABLE_CLEANUP) runs one when the resource is
// released, while it is still locked: a failure puts it in maintenance
// before the next test could get it dirty, and is logged, not failed. A
// resource's own "health_check" field runs only with
// WithHealthCheckFromList (LOCKABLE_HEALTH_CHECK_FROM_LIST=1): the
// command comes from the resources list, which may come from a server. A
// test killed during a check leaves its resource free. Every run is a
// line of the test's log, shown by go test -v.
//
// # What a test records and logs
//
// Require records the resource on the test with t.Attr, which go test
// -json reports as "attr" events and gotestsum's JUnit report
// (--junitfile) as properties of the test case:
//
//	lockable.resource.id      the resource id
//	lockable.allocation.id    the allocation id, as in the lock
//	lockable.fencing_token    the fencing token; 0 on the lock folder
//	lockable.resource.<path>  each field asked for with WithAttr
//
// RequireMany records the same keys, with the values of its resources in
// order, separated by spaces. Fleet.Get records
// lockable.fleet.<name>.resource.id and so on. The fencing token (see
// core.Allocation.FencingToken) grows with every allocation of a resource
// across all hosts; a test passes it to a device that can refuse commands
// carrying an older one. Each allocation is also one
// line of the test's log (t.Logf): what was taken, for which requirements
// and how long it queued. The core.Lockable's own log is left discarded;
// the timeout and no-fit messages carry its explanations instead.
package lockabletest
