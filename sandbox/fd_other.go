//go:build !linux

package sandbox

// CloseOnExec does nothing outside Linux.
// TODO: mark inherited descriptors close-on-exec on other systems.
func CloseOnExec() error { return nil }
