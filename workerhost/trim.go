package workerhost

import (
	"runtime/debug"
	"sync"
	"time"
)

// trimDelay is how long a workerhost must be idle before it returns free
// memory to the operating system.
const trimDelay = time.Second

// trimmer returns a workerhost's free memory to the operating system once
// it has been idle for trimDelay. An idle Go process otherwise keeps the
// garbage of its last calls resident until its next collection, which an
// idle worker never reaches.
type trimmer struct {
	mu     sync.Mutex
	timer  *time.Timer
	active int
}

func newTrimmer() *trimmer {
	t := &trimmer{}
	t.timer = time.AfterFunc(trimDelay, t.trim)
	return t
}

// begin marks the start of a call.
func (t *trimmer) begin() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active++
	t.timer.Stop()
}

// end marks the end of a call and schedules a trim.
func (t *trimmer) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active--
	if t.active == 0 {
		t.timer.Reset(trimDelay)
	}
}

func (t *trimmer) trim() {
	t.mu.Lock()
	idle := t.active == 0
	t.mu.Unlock()
	if idle {
		debug.FreeOSMemory()
	}
}

func (t *trimmer) stop() { t.timer.Stop() }
