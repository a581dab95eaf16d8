package sandbox

import (
	"fmt"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// DropPrivileges makes no_new_privs hold for the whole calling process, so
// nothing it executes can gain privileges through set-user-ID files or
// file capabilities. prctl sets the flag for one thread only, and the Go
// runtime has started others by now. So DropPrivileges sets it on a locked
// thread and executes the program again from that thread, and the new
// program starts with the flag on every thread. When the flag is already
// set, it returns at once; when the re-execution succeeds, it never
// returns.
func DropPrivileges() error {
	set, err := noNewPrivs()
	if err != nil || set {
		return err
	}
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	err = syscall.Exec("/proc/self/exe", os.Args, os.Environ())
	runtime.UnlockOSThread()
	return fmt.Errorf("execute the workerhost again with no_new_privs: %w", err)
}

// noNewPrivs reports whether the process's main thread has no_new_privs.
func noNewPrivs() (bool, error) {
	v, err := statusField("NoNewPrivs")
	return v == "1", err
}

const noNewPrivsSupported = true
