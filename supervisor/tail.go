package supervisor

import (
	"bytes"
	"sync"
)

// stderrLog keeps what explains a workerhost's end from its stderr: the
// first line of a Go panic or fatal error, such as the runtime's "out of
// memory", which the goroutine dump after it would push out of any short
// tail.
type stderrLog struct {
	mu      sync.Mutex
	partial []byte // the current line so far
	first   string // the first panic or fatal error line
}

func newStderrLog() *stderrLog { return &stderrLog{} }

const maxStderrLine = 1 << 10

func (l *stderrLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range p {
		if c != '\n' {
			if len(l.partial) < maxStderrLine {
				l.partial = append(l.partial, c)
			}
			continue
		}
		if l.first == "" && (bytes.HasPrefix(l.partial, []byte("panic: ")) || bytes.HasPrefix(l.partial, []byte("fatal error: "))) {
			l.first = string(l.partial)
		}
		l.partial = l.partial[:0]
	}
	return len(p), nil
}

// fatal returns the first panic or fatal error line, or "".
func (l *stderrLog) fatal() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}
