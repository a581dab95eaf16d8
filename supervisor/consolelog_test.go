package supervisor

import (
	"strings"
	"testing"
	"time"
)

func TestConsoleLimiter(t *testing.T) {
	var c consoleLimiter
	now := time.Now()
	for i := range consoleBurst {
		if ok, _ := c.allow(now); !ok {
			t.Fatalf("line %d of the burst was refused", i)
		}
	}
	if ok, _ := c.allow(now); ok {
		t.Fatal("a line past the burst was allowed")
	}
	ok, dropped := c.allow(now.Add(10 * time.Millisecond))
	if !ok || dropped != 1 {
		t.Errorf("after 10ms: allowed %v, dropped %d; want true and 1", ok, dropped)
	}
	for range consoleBurst {
		c.allow(now.Add(10 * time.Millisecond))
	}
	if _, dropped := c.allow(now.Add(20 * time.Millisecond)); dropped != 0 {
		t.Errorf("dropped lines reported again within a second: %d", dropped)
	}
	if _, dropped := c.allow(now.Add(1100 * time.Millisecond)); dropped == 0 {
		t.Error("dropped lines not reported after a second")
	}
}

func TestTruncateLine(t *testing.T) {
	long := strings.Repeat("x", maxConsoleLine+5)
	if got := truncateLine(long); !strings.HasSuffix(got, "... (5 more bytes)") || len(got) != maxConsoleLine+len("... (5 more bytes)") {
		t.Errorf("truncateLine kept %d bytes ending %q", len(got), got[len(got)-20:])
	}
}
