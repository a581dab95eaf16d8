//go:build !linux

package sandbox

// DropPrivileges does nothing outside Linux.
func DropPrivileges() error { return nil }

const noNewPrivsSupported = false
