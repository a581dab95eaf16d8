package sandbox

import "syscall"

// sysProcAttr makes the child die with the supervisor and puts it in a
// process group of its own, so a signal to the supervisor's terminal group
// does not reach it first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Pdeathsig: syscall.SIGKILL,
		Setpgid:   true,
	}
}
