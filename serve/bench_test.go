package serve

import (
	"fmt"
	"testing"
)

// labOf returns n resources shaped as the provider benchmarks' lab, a
// tenth of them offline, on 8 hosts.
func labOf(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{
			"id": fmt.Sprintf("phone-%05d", i), "hostname": fmt.Sprintf("lab-runner-%d", i%8), "online": i%10 != 0,
			"type": "phone", "os": "android", "os_version": 12 + i%3, "serial": fmt.Sprintf("28031FDH%06d", i),
			"ram_gb": 4 << (i % 3), "tags": []string{"usb", "5g", "nfc"},
			"network": map[string]any{"ip": fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256), "wifi": "lab-5ghz"},
		}
	}
	return out
}

// BenchmarkRefreshUnchanged10k is one reading of a 10,000-resource lab
// on the lock folder that finds nothing new, as the follower makes every
// second (the lock folder cannot tell a crashed holder's release).
func BenchmarkRefreshUnchanged10k(b *testing.B) {
	lab := newTestLab(b, labOf(10_000)...)
	lab.host = "lab-runner-0"
	l, src := lab.open(b)
	f := newFollower(l, src, newConfig(nil))
	f.refresh(b.Context())
	for b.Loop() {
		f.refresh(b.Context())
	}
}
