package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain makes the test binary serve as the workerhost, which the
// supervisor starts as this executable with the argument "workerhost".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "workerhost" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// command is a dynworker command running in this process.
type command struct {
	stdout *lockedBuffer
	stderr *lockedBuffer
	code   chan int
	cancel context.CancelFunc
}

// startCommand runs dynworker with args until the test ends.
func startCommand(t testing.TB, args ...string) *command {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &command{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, code: make(chan int, 1), cancel: cancel}
	go func() { c.code <- run(ctx, args, c.stdout, c.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-c.code:
		case <-time.After(30 * time.Second):
			t.Errorf("dynworker %s did not stop", strings.Join(args, " "))
		}
	})
	return c
}

var urlPattern = regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)

// waitAddress waits for the command to print the address it serves HTTP on.
func (c *command) waitAddress(t testing.TB) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := urlPattern.FindStringSubmatch(c.stdout.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-c.code:
			t.Fatalf("dynworker exited with %d\nstdout: %s\nstderr: %s", code, c.stdout, c.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("dynworker printed no address\nstdout: %s\nstderr: %s", c.stdout, c.stderr)
	return ""
}

// lockedBuffer is an io.Writer safe for the command's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// readLine reads one line from r or fails the test after timeout.
func readLine(t testing.TB, r *bufio.Reader, timeout time.Duration) string {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := r.ReadString('\n')
		ch <- result{s, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil && res.err != io.EOF {
			t.Fatalf("read line: %v", res.err)
		}
		return res.s
	case <-time.After(timeout):
		t.Fatalf("no line within %s", timeout)
		return ""
	}
}
