package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// DropPrivileges makes no_new_privs hold for the whole calling process, so
// nothing it executes can gain privileges through set-user-ID files or
// file capabilities. prctl sets the flag for one thread only, and the Go
// runtime has started others by now, so DropPrivileges sets it on a locked
// thread and executes the program again from that thread: a new program
// starts with the flag on every thread. When the flag is already set, it
// returns at once. On success of the re-execution it does not return.
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
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "NoNewPrivs:"); ok {
			return strings.TrimSpace(rest) == "1", nil
		}
	}
	return false, fmt.Errorf("no NoNewPrivs in /proc/self/status")
}

const noNewPrivsSupported = true
