package command

import "testing"

// BenchmarkFieldEnv turns one resource's fields into variables.
func BenchmarkFieldEnv(b *testing.B) {
	object := `{"id": "pixel-7-01", "hostname": "lab-runner-1", "online": true, "os": "android",
		"ram_gb": 8, "tags": ["usb", "5g", "nfc"], "network": {"ip": "10.1.2.31", "wifi": "lab-5ghz"}}`
	b.ReportAllocs()
	for b.Loop() {
		fieldEnv(object, "", false)
	}
}
