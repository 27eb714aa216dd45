//go:build unix && !linux

package main

import "syscall"

// dieWithParent does nothing: only Linux can kill the command when
// lockable dies.
func dieWithParent(*syscall.SysProcAttr) {}
