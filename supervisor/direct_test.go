package supervisor_test

import (
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dynworker/dynworker/loader"
	"github.com/dynworker/dynworker/supervisor"
)

// workerNamed returns the worker with id in the parent's loader namespace.
func workerNamed(t testing.TB, s *supervisor.Supervisor, id string) *loader.Worker {
	t.Helper()
	for _, w := range s.Workers() {
		if w.Namespace == "test/LOADER" && w.ID == id {
			return w
		}
	}
	t.Fatalf("no worker %q", id)
	return nil
}

// counterUntilDirect calls the counter worker id through the parent until
// the supervisor has granted a direct link to it, and returns the last
// counter value.
func counterUntilDirect(t testing.TB, s *supervisor.Supervisor, parent, id string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var c struct{ Value int }
		getJSON(t, s, parent, "/counter?id="+id, &c)
		if supervisor.DirectLinks(workerNamed(t, s, id)) > 0 {
			return c.Value
		}
		if time.Now().After(deadline) {
			t.Fatalf("no direct link to worker %s after %d calls", id, c.Value)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDirectLinkCarriesCalls(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)
	n := counterUntilDirect(t, s, parent, "direct")
	w := workerNamed(t, s, "direct")
	before, _ := w.IdleSince()

	for i := 1; i <= 5; i++ {
		var c struct{ Value int }
		getJSON(t, s, parent, "/counter?id=direct", &c)
		if c.Value != n+i {
			t.Fatalf("counter %d, want %d: the calls did not reach the same process", c.Value, n+i)
		}
	}
	if after, _ := w.IdleSince(); !after.Equal(before) {
		t.Errorf("the supervisor saw calls (last use %v, was %v); they should skip it", after, before)
	}
	if got := supervisor.DirectLinks(w); got != 1 {
		t.Errorf("%d direct links, want 1", got)
	}
}

func TestDirectLinkAfterEviction(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)
	counterUntilDirect(t, s, parent, "evicted")
	w := workerNamed(t, s, "evicted")
	if !w.Evict() {
		t.Fatal("evict returned false")
	}

	// The parent's link is gone with the process; the next call goes
	// through the supervisor, which starts the worker again.
	var c struct{ Value, CodeCalls int }
	getJSON(t, s, parent, "/counter?id=evicted", &c)
	if c.Value != 1 {
		t.Errorf("counter %d after eviction, want 1 from a fresh process", c.Value)
	}
	if c.CodeCalls != 1 {
		t.Errorf("getCode ran %d times, want 1: the code is cached", c.CodeCalls)
	}
	counterUntilDirect(t, s, parent, "evicted")
}

// TestIdleEvictionAsksDirectLinks calls a worker only over its direct link
// for longer than the idle timeout: the supervisor sees no calls, so it
// must ask the worker before it stops it.
func TestIdleEvictionAsksDirectLinks(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{IdleTimeout: 300 * time.Millisecond})
	parent := startParent(t, s)
	n := counterUntilDirect(t, s, parent, "busy")

	end := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(end) {
		var c struct{ Value int }
		getJSON(t, s, parent, "/counter?id=busy", &c)
		n++
		if c.Value != n {
			t.Fatalf("counter %d, want %d: the worker was stopped while in use", c.Value, n)
		}
		time.Sleep(50 * time.Millisecond)
	}

	deadline := time.Now().Add(10 * time.Second)
	for pidOf(t, s, "test/LOADER", "busy") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle worker was not stopped")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var c struct{ Value int }
	getJSON(t, s, parent, "/counter?id=busy", &c)
	if c.Value != 1 {
		t.Errorf("counter %d after idle eviction, want 1", c.Value)
	}
}

func TestDirectLinkToKilledWorker(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)
	counterUntilDirect(t, s, parent, "victim")
	pid := pidOf(t, s, "test/LOADER", "victim")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	// As through the supervisor: a clear error when the call left before
	// the process was gone, else a fresh process.
	req, _ := http.NewRequest("GET", "http://parent/counter?id=victim", nil)
	resp, err := s.Fetch(testContext(t), parent, "", req)
	if err != nil {
		if msg := err.Error(); !strings.Contains(msg, "worker victim: workerhost process") || !strings.Contains(msg, "exited (signal: killed)") {
			t.Errorf("call after kill: %q; want an error saying the process was killed", msg)
		}
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"value":1`) {
		t.Errorf("call after kill: %s; want a fresh counter", body)
	}
}

// TestDirectLinksOfStoppedParentsPruned restarts the parent several times:
// each new parent process gets a new link to the same worker, and the
// links of the stopped ones must not pile up.
func TestDirectLinksOfStoppedParentsPruned(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)
	counterUntilDirect(t, s, parent, "shared")
	w := workerNamed(t, s, "shared")
	pid := supervisor.PID(w)

	for round := range 4 {
		for _, pw := range s.Workers() {
			if pw.Namespace == supervisor.ParentNamespace && !pw.Evict() {
				t.Fatal("the parent was not running")
			}
		}
		// The new parent connects on its second call; the old link must be
		// gone by then.
		deadline := time.Now().Add(10 * time.Second)
		for calls := 1; ; calls++ {
			get(t, s, parent, "/counter?id=shared")
			n := supervisor.DirectLinks(w)
			if calls >= 3 && n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d direct links after %d calls, want 1", round, n, calls)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if got := supervisor.PID(w); got != pid {
		t.Errorf("the worker's process changed from %d to %d", pid, got)
	}
}

// TestBrokenRuntimeOverDirectLink breaks a worker's runtime with a stack
// overflow in a call on a direct link: the next call must reach a fresh
// process, not the broken runtime with its old state.
func TestBrokenRuntimeOverDirectLink(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)
	deadline := time.Now().Add(10 * time.Second)
	for {
		get(t, s, parent, "/hostile?op=count")
		if supervisor.DirectLinks(workerNamed(t, s, "hostile")) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no direct link to the hostile worker")
		}
		time.Sleep(10 * time.Millisecond)
	}

	var broke struct{ Name, Message string }
	getJSON(t, s, parent, "/hostile?op=recurse", &broke)
	if broke.Name != "RangeError" || broke.Message != "Maximum call stack size exceeded" {
		t.Fatalf("recurse: %s: %s, want the RangeError", broke.Name, broke.Message)
	}
	var c struct {
		Value         int
		Name, Message string
	}
	getJSON(t, s, parent, "/hostile?op=count", &c)
	if c.Name != "" {
		t.Fatalf("count after the overflow: %s: %s", c.Name, c.Message)
	}
	if c.Value != 1 {
		t.Errorf("count after the overflow = %d, want 1 from a fresh process", c.Value)
	}
}
