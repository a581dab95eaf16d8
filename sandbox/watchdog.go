package sandbox

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"syscall"
)

// exitOutOfMemory is the exit code of a process the watchdog ends, the
// same as the Go runtime's own fatal errors.
const exitOutOfMemory = 2

// watchMemory ends the process when its Go heap passes limit bytes after a
// garbage collection. It backs up the address-space limit, which cannot
// apply under the race detector, and catches growth that stays inside
// reserved address space. The soft memory limit makes the collector run
// as the heap nears limit, so the check runs then too, and an idle process
// never wakes for it. The message goes straight to descriptor 2, where the
// supervisor reads the Go runtime's fatal errors.
func watchMemory(limit int64) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	check := func() {
		metrics.Read(samples)
		used := samples[0].Value.Uint64()
		if used > uint64(limit) {
			msg := fmt.Sprintf("fatal error: runtime: out of memory: heap of %d bytes is over the limit of %d\n", used, limit)
			_, _ = syscall.Write(2, []byte(msg))
			os.Exit(exitOutOfMemory)
		}
	}
	afterEachGC(check)
}

// gcSentinel is an object that becomes garbage at once, so its finalizer
// runs after the next garbage collection.
type gcSentinel struct{ _ [16]byte }

// afterEachGC runs f on the finalizer goroutine after every garbage
// collection.
func afterEachGC(f func()) {
	s := new(gcSentinel)
	runtime.SetFinalizer(s, func(*gcSentinel) {
		f()
		afterEachGC(f)
	})
}
