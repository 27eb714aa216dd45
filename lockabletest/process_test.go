//go:build unix

package lockabletest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcess runs real test processes that use lockabletest: the test
// suites of testdata/labmod, built once.
func TestProcess(t *testing.T) {
	m := newLabModule(t)
	t.Run("parallel tests hold distinct phones at once", func(t *testing.T) { t.Parallel(); testParallel(t, m) })
	t.Run("more tests than phones queue", func(t *testing.T) { t.Parallel(); testQueue(t, m) })
	t.Run("a failed test releases", func(t *testing.T) { t.Parallel(); testReleasedAfter(t, m, "TestFail", "deliberate failure") })
	t.Run("t.Fatal releases", func(t *testing.T) { t.Parallel(); testReleasedAfter(t, m, "TestFatal", "deliberate fatal") })
	t.Run("a panic releases", func(t *testing.T) { t.Parallel(); testReleasedAfter(t, m, "TestPanic", "panic: deliberate panic") })
	t.Run("SIGKILL releases", func(t *testing.T) { t.Parallel(); testKill(t, m) })
	t.Run("policies", func(t *testing.T) { t.Parallel(); testPolicies(t, m) })
	t.Run("fleet released after m.Run", func(t *testing.T) { t.Parallel(); testFleet(t, m) })
	t.Run("fleet released after a panic", func(t *testing.T) { t.Parallel(); testFleetPanic(t, m) })
	t.Run("packages never share", func(t *testing.T) { t.Parallel(); testPackages(t, m) })
	t.Run("go test -json carries the attributes", func(t *testing.T) { t.Parallel(); testJSONAttrs(t, m) })
	t.Run("gotestsum JUnit carries the attributes", func(t *testing.T) { t.Parallel(); testJUnit(t, m) })
}

// scenario is the lab of one process test: a resources file, a lock
// folder and a log of who held what when, all its own.
type scenario struct {
	resources []map[string]any
	file      string
	locks     string
	log       string
}

func newScenario(t *testing.T, resources []map[string]any) *scenario {
	t.Helper()
	dir := t.TempDir()
	s := &scenario{resources: resources, file: filepath.Join(dir, "resources.json"),
		locks: filepath.Join(dir, "locks"), log: filepath.Join(dir, "held.log")}
	writeLab(t, s.file, resources)
	return s
}

// env is the variables that configure the scenario's lab, and extra.
func (s *scenario) env(extra ...string) []string {
	return append([]string{
		"LOCKABLE_RESOURCES=" + s.file, "LOCKABLE_LOCK_FOLDER=" + s.locks,
		"LOCKABLE_HOSTNAME=" + host, "LOCKABLE_TIMEOUT=60s", "LAB_LOG=" + s.log,
	}, extra...)
}

// free reports whether another Lockable on the scenario's lock folder,
// as another process would have, takes a resource that fits with one try.
func (s *scenario) free(t *testing.T, requirements string) bool {
	t.Helper()
	return isFree(t, openLab(t, s.resources, s.locks), requirements)
}

// lockFile returns the content of resource id's lock file.
func (s *scenario) lockFile(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.locks, id+".pid"))
	require.NoError(t, err)
	return string(data)
}

// held is one interval a process held a resource.
type held struct {
	id         string
	pid        int
	start, end int64
}

// held returns what the scenario's log says was held, by resource id.
func (s *scenario) held(t *testing.T) map[string][]held {
	t.Helper()
	data, err := os.ReadFile(s.log)
	require.NoError(t, err)
	out := map[string][]held{}
	for line := range strings.Lines(string(data)) {
		var h held
		_, err := fmt.Sscan(line, &h.id, &h.pid, &h.start, &h.end)
		require.NoError(t, err, "log line %q", line)
		out[h.id] = append(out[h.id], h)
	}
	return out
}

// assertNoOverlap checks that no two holders of one resource held it at
// the same time, and returns how many holds there were.
func assertNoOverlap(t *testing.T, byID map[string][]held) int {
	t.Helper()
	n := 0
	for id, hs := range byID {
		slices.SortFunc(hs, func(a, b held) int { return int(a.start - b.start) })
		for i := 1; i < len(hs); i++ {
			assert.LessOrEqual(t, hs[i-1].end, hs[i].start, "%s held by pids %d and %d at once", id, hs[i-1].pid, hs[i].pid)
		}
		n += len(hs)
	}
	return n
}

// attrLine is how go test -v prints t.Attr.
var attrLine = regexp.MustCompile(`(?m)^=== ATTR  (\S+) (\S+) (.*)$`)

// attrs returns the attributes in -test.v output, by test and key.
func attrs(out string) map[string]map[string]string {
	byTest := map[string]map[string]string{}
	for _, m := range attrLine.FindAllStringSubmatch(out, -1) {
		if byTest[m[1]] == nil {
			byTest[m[1]] = map[string]string{}
		}
		byTest[m[1]][m[2]] = m[3]
	}
	return byTest
}

func testParallel(t *testing.T, m *labModule) {
	s := newScenario(t, phones(3))
	out, err := m.run(t, "lab", s.env("LAB_N=3", "LAB_BARRIER=1"), "-test.run=^TestParallel$", "-test.parallel=3")
	require.NoError(t, err, out)
	ids := map[string]bool{}
	for test, kv := range attrs(out) {
		if strings.HasPrefix(test, "TestParallel/") {
			ids[kv["lockable.resource.id"]] = true
		}
	}
	assert.Equal(t, map[string]bool{"phone-0": true, "phone-1": true, "phone-2": true}, ids, out)
	assert.True(t, s.free(t, "type=phone"))
}

func testQueue(t *testing.T, m *labModule) {
	s := newScenario(t, phones(2))
	out, err := m.run(t, "lab", s.env("LAB_N=5", "LAB_HOLD=20ms"), "-test.run=^TestParallel$", "-test.parallel=5")
	require.NoError(t, err, out)
	assert.Equal(t, 5, strings.Count(out, "--- PASS: TestParallel/"), out)
	byID := s.held(t)
	assert.Equal(t, 5, assertNoOverlap(t, byID))
	assert.Subset(t, []string{"phone-0", "phone-1"}, slices.Collect(mapKeys(byID)))
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// testReleasedAfter runs a test that holds the phone and ends badly: the
// release ran (it empties the lock file) and the phone is free.
func testReleasedAfter(t *testing.T, m *labModule, test, says string) {
	s := newScenario(t, phones(1))
	out, err := m.run(t, "lab", s.env(), "-test.run=^"+test+"$")
	require.Error(t, err, "the test fails")
	assert.Contains(t, out, says)
	assert.Contains(t, out, "=== ATTR  "+test+" lockable.resource.id phone-0")
	assert.Empty(t, s.lockFile(t, "phone-0"), "released by the test's cleanup")
	assert.True(t, s.free(t, "type=phone"))
}

// testKill kills a test binary that holds the phone: the kernel releases
// the lock; the holder's description stays in the file.
func testKill(t *testing.T, m *labModule) {
	s := newScenario(t, phones(1))
	c := m.start(t, "lab", s.env(), "-test.run=^TestKill$")
	assert.Equal(t, "phone-0", c.waitFor(t, "HOLDING"))
	assert.False(t, s.free(t, "type=phone"), "held while the test runs")
	require.NoError(t, c.cmd.Process.Kill())
	require.Error(t, c.cmd.Wait())
	first, _, _ := strings.Cut(s.lockFile(t, "phone-0"), "\n")
	assert.Equal(t, strconv.Itoa(c.cmd.Process.Pid), first, "the killed holder's pid stays in the file")
	assert.True(t, s.free(t, "type=phone"), "free once the holder is dead")
}

func testPolicies(t *testing.T, m *labModule) {
	s := newScenario(t, phones(1))
	unconfigured := []string{"LOCKABLE_LOCK_FOLDER=" + s.locks} // and no resources.json in the module
	tests := map[string]struct {
		env  []string
		want string // SKIP, FAIL or PASS
		says string
	}{
		"no lab skips":             {unconfigured, "SKIP", "no resources configured: set LOCKABLE_RESOURCES"},
		"no lab, env fail":         {append(unconfigured, "LOCKABLE_ON_UNAVAILABLE=fail"), "FAIL", "(failed by LOCKABLE_ON_UNAVAILABLE=fail)"},
		"no lab, option fail":      {append(unconfigured, "LAB_POLICY=fail"), "FAIL", "(failed by WithPolicy(Fail))"},
		"no fit fails":             {s.env("LAB_TYPE=toaster"), "FAIL", `no resource fits {"type":"toaster"`},
		"no fit, env skip":         {s.env("LAB_TYPE=toaster", "LOCKABLE_ON_UNAVAILABLE=skip"), "SKIP", "(skipped by LOCKABLE_ON_UNAVAILABLE=skip)"},
		"no fit, option skip":      {s.env("LAB_TYPE=toaster", "LAB_POLICY=skip"), "SKIP", "(skipped by WithPolicy(Skip))"},
		"option over env":          {s.env("LAB_TYPE=toaster", "LAB_POLICY=fail", "LOCKABLE_ON_UNAVAILABLE=skip"), "FAIL", "(failed by WithPolicy(Fail))"},
		"invalid variable fails":   {s.env("LAB_TYPE=phone", "LOCKABLE_TIMEOUT=soon", "LAB_POLICY=skip"), "FAIL", "LOCKABLE_TIMEOUT: timeout \"soon\""},
		"configured lab holds":     {s.env("LAB_TYPE=phone"), "PASS", "HOLDING phone-0"},
		"missing resources file":   {append(s.env("LAB_TYPE=phone"), "LOCKABLE_RESOURCES=/nonexistent/lab.json"), "FAIL", "LOCKABLE_RESOURCES=/nonexistent/lab.json"},
		"invalid on-unavailable":   {s.env("LAB_TYPE=phone", "LOCKABLE_ON_UNAVAILABLE=sometimes"), "FAIL", `LOCKABLE_ON_UNAVAILABLE: "sometimes" is neither skip nor fail`},
		"extra requirements apply": {s.env("LAB_TYPE=phone", `LOCKABLE_REQUIREMENTS={"serial": "none"}`), "FAIL", `"serial":"none"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, _ := m.run(t, "lab", tc.env, "-test.run=^TestPolicy$")
			assert.Contains(t, out, "--- "+tc.want+": TestPolicy", out)
			assert.Contains(t, out, tc.says)
		})
	}
	t.Run("a waiting test says what it waits for", func(t *testing.T) {
		holder := m.start(t, "lab", s.env(), "-test.run=^TestKill$")
		holder.waitFor(t, "HOLDING")
		waiter := m.start(t, "lab", s.env("LAB_TYPE=phone", "LOCKABLE_TIMEOUT=60s"), "-test.run=^TestPolicy$", "-test.v")
		line := waiter.waitForText(t, "lockabletest: waiting up to 1m0s for ")
		assert.Contains(t, line, `{"type":"phone","hostname":"bench-1","online":true}: 1 fitting, held by phone-0: `)
		assert.Contains(t, line, fmt.Sprintf("pid %d (TestKill)", holder.cmd.Process.Pid))
		require.NoError(t, holder.cmd.Process.Kill(), "the holder goes: the waiter gets the phone")
		line = waiter.waitForText(t, "lockabletest: got ")
		assert.Regexp(t, `lockabletest: got phone-0 after waiting \d+(\.\d)?m?s$`, line)
		assert.Equal(t, "phone-0", waiter.waitFor(t, "HOLDING"))
	})
	t.Run("timeout says who holds", func(t *testing.T) {
		c := m.start(t, "lab", s.env(), "-test.run=^TestKill$")
		c.waitFor(t, "HOLDING")
		out, err := m.run(t, "lab", s.env("LAB_TYPE=phone", "LOCKABLE_TIMEOUT=50ms"), "-test.run=^TestPolicy$")
		require.Error(t, err)
		assert.Contains(t, out, "lockabletest: timed out after")
		assert.Contains(t, out, "(TestKill)")
	})
}

// fleetLab is a lab with a gateway.
func fleetLab() []map[string]any {
	return []map[string]any{{"id": "gw-01", "hostname": host, "online": true, "type": "gateway"}}
}

func testFleet(t *testing.T, m *labModule) {
	s := newScenario(t, fleetLab())
	out, err := m.run(t, "fleet", s.env(), "-test.run=^TestGateway$")
	require.NoError(t, err, out)
	assert.Contains(t, out, "TEST USES gw-01")
	assert.Contains(t, out, "=== ATTR  TestGateway lockable.fleet.gateway.resource.id gw-01")
	assert.Contains(t, out, "lockabletest: using gateway of the fleet: gw-01 (allocation ")
	assert.Contains(t, out, "GATEWAY FREE AFTER MAIN true", "released when m.Run returned, before os.Exit")
	assert.Empty(t, s.lockFile(t, "gw-01"))
	assert.True(t, s.free(t, "type=gateway"))
}

func testFleetPanic(t *testing.T, m *labModule) {
	s := newScenario(t, fleetLab())
	out, err := m.run(t, "fleet", s.env("LAB_PANIC=1"), "-test.run=^TestPanic$")
	require.Error(t, err)
	assert.Contains(t, out, "panic: deliberate panic")
	assert.NotContains(t, out, "GATEWAY FREE AFTER MAIN", "m.Run does not return after a panic")
	assert.True(t, s.free(t, "type=gateway"), "released as the process ended")
}

// testPackages runs two packages with one go test: two processes whose
// tests hold phones of one lab, never the same one at once.
func testPackages(t *testing.T, m *labModule) {
	s := newScenario(t, phones(2))
	cmd := m.goCommand(t, childWait, "test", "-count=1", "-p=2", "./shared/...")
	cmd.Env = append(cmd.Env, s.env("LAB_N=3", "LAB_HOLD=30ms")...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "ok  \t"+labModulePath+"/shared/a")
	assert.Contains(t, string(out), "ok  \t"+labModulePath+"/shared/b")
	byID := s.held(t)
	assert.Equal(t, 6, assertNoOverlap(t, byID))
	pids := map[int]bool{}
	for _, hs := range byID {
		for _, h := range hs {
			pids[h.pid] = true
		}
	}
	assert.Len(t, pids, 2, "two test processes")
}
