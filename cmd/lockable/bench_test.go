package main

import (
	"testing"
)

// benchEnv is a lab of 1,000 resources, and the environment that points
// lockable at it.
func benchEnv(b *testing.B) []string {
	b.Helper()
	return []string{"LOCKABLE_LOCK_FOLDER=" + b.TempDir(), "LOCKABLE_HOSTNAME=lab-1", "LOCKABLE_RESOURCES=" + writeList(b, lab(1000)...)}
}

// BenchmarkRunTrue is lockable --requirements ... -- true over 1,000
// resources, in this process: load, match, lock, start and wait for the
// command, release. The whole-process time is measured with hyperfine
// (testdata/bench-cli.sh).
func BenchmarkRunTrue(b *testing.B) {
	env := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if code, _, stderr := runCLI(b, env, "--requirements", "os=android", "--no-shell", "--", "true"); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr)
		}
	}
}

// BenchmarkStatus is lockable status over 1,000 resources, in this
// process.
func BenchmarkStatus(b *testing.B) {
	env := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if code, _, stderr := runCLI(b, env, "status"); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr)
		}
	}
}
