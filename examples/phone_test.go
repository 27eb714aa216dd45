package examples

import (
	"net/netip"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
)

// androidPhone is the phone these tests run on: an Android phone with at
// least 8 GB of RAM (and, by default, online and on this host).
const androidPhone = `{"os": "android", "ram_gb": {"$gte": 8}}`

func TestAppsReachTheGateway(t *testing.T) {
	gw := lab.Get(t, "gateway")
	for _, app := range []string{"browser", "camera", "maps"} {
		t.Run(app, func(t *testing.T) {
			t.Parallel()
			phone := lockabletest.Require(t, androidPhone, lockabletest.WithAttr("serial", "model"))
			// A real test would start the app over adb -s <serial> and
			// watch its traffic at the gateway.
			if !sameSubnet(phone, gw) {
				t.Errorf("%s (%s) cannot reach gateway %s (%s)", phone.ResourceID(), phone.Get("network.ip"),
					gw.ResourceID(), gw.Get("network.ip"))
			}
		})
	}
}

func TestCallBetweenTwoPhones(t *testing.T) {
	// Both ends need a 5G modem: a condition on an array, such as
	// "tags", holds when one of its elements matches.
	phones := lockabletest.RequireMany(t, []string{
		`{"os": "android", "tags": "5g"}`,
		`{"type": "phone", "tags": "5g"}`,
	})
	caller, callee := phones[0], phones[1]
	// A real test would dial the callee from the caller over adb.
	if caller.Get("serial").String() == callee.Get("serial").String() {
		t.Fatalf("%s would call itself", caller.ResourceID())
	}
}

// sameSubnet reports whether the phone is on the gateway's /16 network.
func sameSubnet(phone, gw *core.Allocation) bool {
	gwIP, err := netip.ParseAddr(gw.Get("network.ip").String())
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(phone.Get("network.ip").String())
	return err == nil && netip.PrefixFrom(gwIP, 16).Masked().Contains(ip)
}
