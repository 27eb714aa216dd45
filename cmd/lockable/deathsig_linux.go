package main

import "syscall"

// dieWithParent has the kernel SIGKILL the command when lockable dies:
// lockable's locks die with it, and the command must not go on using the
// resources unlocked.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
