package sandbox

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// CloseOnExec marks every open descriptor above stderr close-on-exec, so a
// workerhost inherits only what its start passes explicitly. Go opens its
// own files close-on-exec, but descriptors the supervisor inherited from
// its parent (a shell's, for example) are not. It is safe to call again.
func CloseOnExec() error {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			// The directory's own descriptor is closed by now.
			continue
		}
		if flags&unix.FD_CLOEXEC == 0 {
			_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags|unix.FD_CLOEXEC)
		}
	}
	return nil
}
