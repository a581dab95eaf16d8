package sandbox

import (
	"fmt"
	"os"
	"runtime/metrics"
	"syscall"
	"time"
)

// watchInterval is how often the memory watchdog samples the heap.
const watchInterval = 10 * time.Millisecond

// exitOutOfMemory is the exit code of a process the watchdog ends, the
// same as the Go runtime's own fatal errors.
const exitOutOfMemory = 2

// watchMemory ends the process when its Go heap passes limit bytes. It
// backs up the address-space limit, which cannot apply under the race
// detector, and catches growth that stays inside reserved address space.
// The message goes straight to descriptor 2, where the supervisor reads
// the Go runtime's fatal errors.
func watchMemory(limit int64) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for range time.Tick(watchInterval) {
		metrics.Read(samples)
		used := samples[0].Value.Uint64()
		if used > uint64(limit) {
			msg := fmt.Sprintf("fatal error: runtime: out of memory: heap of %d bytes is over the limit of %d\n", used, limit)
			_, _ = syscall.Write(2, []byte(msg))
			os.Exit(exitOutOfMemory)
		}
	}
}
