//go:build !linux

package sandbox

import "runtime/debug"

// LimitMemory sets only a soft limit outside Linux.
// TODO: enforce a hard memory cap on other systems.
func LimitMemory(limit int64) error {
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	return nil
}
