package sandbox

import "golang.org/x/sys/unix"

// DropPrivileges sets no_new_privs on the calling process, so nothing it
// executes can gain privileges through set-user-ID files or file
// capabilities.
func DropPrivileges() error {
	return unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
}

const noNewPrivsSupported = true
