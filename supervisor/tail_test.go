package supervisor

import "testing"

func TestStderrLogKeepsFirstFatalLine(t *testing.T) {
	l := newStderrLog()
	_, _ = l.Write([]byte("some log line\nfatal error: runtime: out of memory\n\ngoroutine 1 [running]:\n"))
	_, _ = l.Write([]byte("panic: later\n"))
	if got := l.fatal(); got != "fatal error: runtime: out of memory" {
		t.Errorf("fatal() = %q", got)
	}
}
