package command

import "syscall"

// dieWithParent has the kernel kill the shell when this process dies.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
