package lockabletest_test

import (
	"bytes"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeM runs tests as *testing.M does: it returns their exit code.
type fakeM func() int

func (m fakeM) Run() int { return m() }

// gatewayLab is a lab with a gateway and two phones.
func gatewayLab() []map[string]any {
	return append(phones(2), map[string]any{"id": "gw-01", "hostname": host, "online": true, "type": "gateway", "firmware": "2.0.9"})
}

func TestFleetHeldWhileTheTestsRun(t *testing.T) {
	lk, dir := newLab(t, gatewayLab())
	other := openLab(t, gatewayLab(), dir)
	lab := lockabletest.NewFleet(map[string]string{
		"gateway": "type=gateway",
		"phone":   "type=phone",
	}, lockabletest.WithLockable(lk), lockabletest.WithAttr("firmware"))
	var out bytes.Buffer
	lab.SetOutput(&out)

	var gw *core.Allocation
	code := lockabletest.Main(fakeM(func() int {
		assert.False(t, isFree(t, other, "type=gateway"), "held before the tests run")
		ft := newT("TestRouting")
		defer ft.finish()
		ft.run(func(t lockabletest.TB) { gw = lab.Get(t, "gateway") })
		id, _ := ft.attr("lockable.fleet.gateway.resource.id")
		assert.Equal(t, "gw-01", id)
		alloc, _ := ft.attr("lockable.fleet.gateway.allocation.id")
		assert.Equal(t, gw.ID(), alloc)
		firmware, _ := ft.attr("lockable.fleet.gateway.resource.firmware")
		assert.Equal(t, "2.0.9", firmware)
		token, _ := ft.attr("lockable.fleet.gateway.fencing_token")
		assert.Equal(t, "0", token)
		assert.Contains(t, holderOf(t, other, "gw-01").Owner, "TestMain (")
		return 3
	}), lab)

	assert.Equal(t, 3, code, "the tests' exit code")
	require.NotNil(t, gw)
	assert.Equal(t, "gw-01", gw.ResourceID())
	assert.True(t, isFree(t, other, "type=gateway"), "released when the tests are done")
	assert.True(t, isFree(t, other, "type=phone"))
	assert.NotContains(t, out.String(), "not held")
}

func TestFleetReleasedWhenTheTestsPanic(t *testing.T) {
	lk, dir := newLab(t, gatewayLab())
	lab := lockabletest.NewFleet(map[string]string{"gateway": "type=gateway"}, lockabletest.WithLockable(lk))
	func() {
		defer func() { assert.Equal(t, "boom", recover()) }()
		lockabletest.Main(fakeM(func() int { panic("boom") }), lab)
	}()
	assert.True(t, isFree(t, openLab(t, gatewayLab(), dir), "type=gateway"))
}

func TestFleetNotHeld(t *testing.T) {
	lk, _ := newLab(t, gatewayLab())
	m := newModule(t)
	tests := map[string]struct {
		opts    []lockabletest.Option
		report  string
		skip    string
		fatal   string
		members map[string]string
	}{
		"no fit": {
			opts:   []lockabletest.Option{lockabletest.WithLockable(lk)},
			report: "lockabletest: fleet not held, tests that use it will fail: no resource fits",
			fatal:  "lockabletest: fleet not held: no resource fits",
		},
		"no fit, skip": {
			opts:   []lockabletest.Option{lockabletest.WithLockable(lk), lockabletest.WithPolicy(lockabletest.Skip)},
			report: "tests that use it will skip",
			skip:   "(skipped by WithPolicy(Skip))",
		},
		"no lab": {
			opts:   []lockabletest.Option{lockabletest.WithEnvironment(env{}.get, m.pkg)},
			report: "tests that use it will skip: no resources configured",
			skip:   "lockabletest: fleet not held: no resources configured",
		},
		"bad name": {
			opts:    []lockabletest.Option{lockabletest.WithLockable(lk), lockabletest.WithPolicy(lockabletest.Skip)},
			members: map[string]string{"the gateway": "type=gateway"},
			report:  `fleet member name "the gateway"`,
			fatal:   "without spaces",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			members := tc.members
			if members == nil {
				members = map[string]string{"gateway": "type=gateway", "toaster": "type=toaster"}
			}
			lab := lockabletest.NewFleet(members, tc.opts...)
			var out bytes.Buffer
			lab.SetOutput(&out)
			ran := false
			code := lockabletest.Main(fakeM(func() int {
				ran = true
				ft := newT("TestRouting")
				defer ft.finish()
				for member := range members {
					ft.run(func(t lockabletest.TB) { lab.Get(t, member) })
				}
				fatal, skip, _ := ft.outcome()
				assertContainsOrEmpty(t, fatal, tc.fatal)
				assertContainsOrEmpty(t, skip, tc.skip)
				return 0
			}), lab)
			assert.True(t, ran, "the tests run anyway")
			assert.Equal(t, 0, code)
			assert.Contains(t, out.String(), tc.report)
			assert.True(t, isFree(t, lk, "type=gateway"), "all or nothing")
		})
	}
}

func TestFleetGetMistakes(t *testing.T) {
	lk, _ := newLab(t, gatewayLab())
	lab := lockabletest.NewFleet(map[string]string{"gateway": "type=gateway", "phone": "type=phone"}, lockabletest.WithLockable(lk))
	ft := newT("TestEarly")
	defer ft.finish()
	ft.run(func(t lockabletest.TB) { lab.Get(t, "gateway") })
	fatal, _, _ := ft.outcome()
	assert.Contains(t, fatal, "lockabletest: the fleet is not held: call os.Exit(lockabletest.Main(m, fleet)) in TestMain")

	lockabletest.Main(fakeM(func() int {
		ft := newT("TestTypo")
		defer ft.finish()
		ft.run(func(t lockabletest.TB) { lab.Get(t, "gatway") })
		fatal, _, _ := ft.outcome()
		assert.Contains(t, fatal, `lockabletest: the fleet has no member "gatway"; it has gateway, phone`)
		return 0
	}), lab)
}
