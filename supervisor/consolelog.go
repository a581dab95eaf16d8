package supervisor

import (
	"fmt"
	"sync"
	"time"
)

const (
	// consoleRate is how many console lines per second a worker may log,
	// with bursts up to consoleBurst. Lines past it are counted, and the
	// count is logged, so none is dropped without a trace.
	consoleRate  = 1000
	consoleBurst = 1000
	// maxConsoleLine is the longest console message logged whole.
	maxConsoleLine = 16 << 10
)

// consoleLimiter paces one worker's console output.
type consoleLimiter struct {
	mu       sync.Mutex
	tokens   float64
	last     time.Time
	dropped  int
	reported time.Time // when dropped lines were last reported
}

// allow reports whether a line may be logged now and, at most once a
// second, how many lines were dropped since the last such report.
func (c *consoleLimiter) allow(now time.Time) (ok bool, dropped int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last.IsZero() {
		c.tokens = consoleBurst
	} else {
		c.tokens = min(consoleBurst, c.tokens+now.Sub(c.last).Seconds()*consoleRate)
	}
	c.last = now
	if c.tokens < 1 {
		c.dropped++
		return false, 0
	}
	c.tokens--
	// Dropped lines are reported at most once a second, so the report
	// cannot become a flood of its own.
	if c.dropped > 0 && now.Sub(c.reported) >= time.Second {
		dropped, c.dropped = c.dropped, 0
		c.reported = now
	}
	return true, dropped
}

// truncateLine cuts a console message to maxConsoleLine bytes.
func truncateLine(msg string) string {
	if len(msg) <= maxConsoleLine {
		return msg
	}
	return fmt.Sprintf("%s... (%d more bytes)", msg[:maxConsoleLine], len(msg)-maxConsoleLine)
}
