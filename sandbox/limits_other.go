//go:build !linux

package sandbox

import "runtime/debug"

// LimitMemory sets a soft limit and the heap watchdog outside Linux.
// TODO: enforce an address-space cap on other systems.
func LimitMemory(limit int64) error {
	if limit > 0 {
		debug.SetMemoryLimit(limit)
		watchMemory(limit)
	}
	return nil
}
