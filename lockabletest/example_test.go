package lockabletest_test

import (
	"context"
	"fmt"
	"os"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/go-lockable/lockable/provider"
)

// exampleLab returns a Lockable over a small lab kept in memory, with a
// lock folder of its own; real tests get theirs from the LOCKABLE_*
// variables instead.
func exampleLab() (*core.Lockable, func()) {
	dir, err := os.MkdirTemp("", "lockabletest-example")
	if err != nil {
		panic(err)
	}
	lk, err := core.New(context.Background(), provider.List([]map[string]any{
		{"id": "pixel-7-01", "hostname": "lab-runner-1", "online": true, "type": "phone", "os": "android", "ram_gb": 8, "serial": "28031FDH2000A1", "tags": []string{"usb", "5g"}},
		{"id": "iphone-14-01", "hostname": "lab-runner-1", "online": true, "type": "phone", "os": "ios", "ram_gb": 6, "serial": "00008110-001A2B3C4D5E", "tags": []string{"usb", "ble"}},
		{"id": "gw-01", "hostname": "lab-runner-1", "online": true, "type": "gateway", "firmware": "2.0.9"},
	}), core.WithHostname("lab-runner-1"), core.WithLockFolder(dir))
	if err != nil {
		panic(err)
	}
	return lk, func() { os.RemoveAll(dir) }
}

// runTest runs body as a test named name would run, with a fake t that
// stands for the *testing.T, and prints how it ended.
func runTest(name string, body func(t lockabletest.TB)) {
	t := newT(name)
	t.run(body)
	t.finish()
	switch fatal, skip, _ := t.outcome(); {
	case fatal != "":
		fmt.Printf("--- FAIL: %s\n    %s\n", name, fatal)
	case skip != "":
		fmt.Printf("--- SKIP: %s\n    %s\n", name, skip)
	default:
		fmt.Println("--- PASS:", name)
	}
}

func ExampleRequire() {
	lab, cleanup := exampleLab()
	defer cleanup()

	runTest("TestFlash", func(t lockabletest.TB) {
		phone := lockabletest.Require(t, `{"os": "android", "ram_gb": {"$gte": 8}}`, lockabletest.WithLockable(lab))
		fmt.Println("flashing", phone.ResourceID(), "serial", phone.Get("serial"))
	}) // released by t.Cleanup, however the test ends
	// Output:
	// flashing pixel-7-01 serial 28031FDH2000A1
	// --- PASS: TestFlash
}

func ExampleRequire_shortForm() {
	lab, cleanup := exampleLab()
	defer cleanup()

	runTest("TestSafari", func(t lockabletest.TB) {
		phone := lockabletest.Require(t, "os=ios&type=phone", lockabletest.WithLockable(lab))
		fmt.Println("testing on", phone.ResourceID())
	})
	// Output:
	// testing on iphone-14-01
	// --- PASS: TestSafari
}

func ExampleRequire_noFit() {
	lab, cleanup := exampleLab()
	defer cleanup()

	// A lab is configured but has no such device: the test fails, with
	// the resources that came closest.
	runTest("TestBluetooth", func(t lockabletest.TB) {
		lockabletest.Require(t, "os=android&tags=ble", lockabletest.WithLockable(lab))
		fmt.Println("not reached")
	})
	// Output:
	// --- FAIL: TestBluetooth
	//     lockabletest: no resource fits {"os":"android","tags":"ble","hostname":"lab-runner-1","online":true} (3 resources in the list); closest: [pixel-7-01: tags: want "ble", have ["usb","5g"]] [iphone-14-01: os: want "android", have "ios"] [gw-01: os: want "android", missing; tags: want "ble", missing]
}

func ExampleWithPolicy() {
	lab, cleanup := exampleLab()
	defer cleanup()

	runTest("TestOptionalBluetooth", func(t lockabletest.TB) {
		lockabletest.Require(t, "os=android&tags=ble", lockabletest.WithLockable(lab),
			lockabletest.WithPolicy(lockabletest.Skip), lockabletest.WithTimeout(0))
	})
	// Output:
	// --- SKIP: TestOptionalBluetooth
	//     lockabletest: no resource fits {"os":"android","tags":"ble","hostname":"lab-runner-1","online":true} (3 resources in the list); closest: [pixel-7-01: tags: want "ble", have ["usb","5g"]] [iphone-14-01: os: want "android", have "ios"] [gw-01: os: want "android", missing; tags: want "ble", missing] (skipped by WithPolicy(Skip))
}

func ExampleRequireMany() {
	lab, cleanup := exampleLab()
	defer cleanup()

	runTest("TestCall", func(t lockabletest.TB) {
		phones := lockabletest.RequireMany(t, []string{"type=phone", "os=android"}, lockabletest.WithLockable(lab))
		fmt.Println(phones[0].ResourceID(), "calls", phones[1].ResourceID())
	})
	// Output:
	// iphone-14-01 calls pixel-7-01
	// --- PASS: TestCall
}

func ExampleWithAttr() {
	lab, cleanup := exampleLab()
	defer cleanup()

	t := newT("TestFirmware")
	t.run(func(t lockabletest.TB) {
		lockabletest.Require(t, "type=gateway", lockabletest.WithLockable(lab), lockabletest.WithAttr("firmware"))
	})
	t.finish()
	for _, key := range []string{"lockable.resource.id", "lockable.fencing_token", "lockable.resource.firmware"} {
		value, _ := t.attr(key)
		fmt.Println(key, value)
	}
	// Output:
	// lockable.resource.id gw-01
	// lockable.fencing_token 0
	// lockable.resource.firmware 2.0.9
}

func ExampleMain() {
	lab, cleanup := exampleLab()
	defer cleanup()
	fleet := lockabletest.NewFleet(map[string]string{
		"gateway": `{"type": "gateway"}`,
	}, lockabletest.WithLockable(lab))

	// func TestMain(m *testing.M) { os.Exit(lockabletest.Main(m, fleet)) }
	m := fakeM(func() int {
		runTest("TestRouting", func(t lockabletest.TB) {
			gw := fleet.Get(t, "gateway")
			fmt.Println("routing through", gw.ResourceID(), "firmware", gw.Get("firmware"))
		})
		return 0
	})
	fmt.Println("exit", lockabletest.Main(m, fleet))
	// Output:
	// routing through gw-01 firmware 2.0.9
	// --- PASS: TestRouting
	// exit 0
}
