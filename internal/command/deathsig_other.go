//go:build unix && !linux

package command

import "syscall"

// dieWithParent does nothing: only Linux kills a child with its parent;
// the watchdog does it everywhere.
func dieWithParent(*syscall.SysProcAttr) {}
