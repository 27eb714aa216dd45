package lockabletest

// M is what Main runs the tests with: *testing.M.
type M interface {
	Run() int
}

// Main holds the fleet's resources, all or nothing, runs the tests with
// m.Run, releases the resources and returns the exit code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(lockabletest.Main(m, lab)) }
//
// When the fleet cannot be held, Main says why on standard output and
// still runs the tests: those that Get a member skip or fail by Policy,
// the others run as usual. A failed release makes the exit code 1.
// When a test panics, the test binary exits without returning from
// m.Run; the operating system then releases the locks.
//
// While the tests run, Main watches the members' locks. A member lost
// (its lease expired: another holder may have had it since) is reported
// at once on standard output, once, and makes the exit code 1 even when
// every test passed: the results of the tests that used it cannot be
// trusted. Tests that Get it later fail; a test that holds it when it is
// lost fails too (see Fleet.Get).
//
// Main parses the command line flags if TestMain has not, to learn the
// -test.timeout that bounds the wait.
func Main(m M, f *Fleet) (code int) {
	deadline, ok := testDeadline()
	f.hold(deadline, ok)
	stopWatch := f.watch()
	defer func() {
		stopWatch() // before the release, which reports a loss itself
		if f.release() && code == 0 {
			code = 1
		}
		f.close()
	}()
	return m.Run()
}
