package sandbox

import (
	"runtime"
	"testing"
	"time"
)

func TestAfterEachGC(t *testing.T) {
	ran := make(chan struct{}, 10)
	afterEachGC(func() {
		select {
		case ran <- struct{}{}:
		default:
		}
	})
	for i := range 3 {
		runtime.GC()
		select {
		case <-ran:
		case <-time.After(5 * time.Second):
			t.Fatalf("the hook did not run after collection %d", i+1)
		}
	}
}
