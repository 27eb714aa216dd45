//go:build unix && !linux

package main

import "github.com/rogpeppe/go-internal/testscript"

// cmdCtrlC needs Linux's pseudo-terminals; scripts guard it with [linux].
func cmdCtrlC(ts *testscript.TestScript, _ bool, _ []string) {
	ts.Fatalf("ctrlc: only on linux")
}
