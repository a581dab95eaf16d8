package supervisor_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/dynworker/dynworker/supervisor"
)

func TestGetSameIDSharesWorker(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	type counter struct{ Value, CodeCalls int }
	var first, second, other counter
	getJSON(t, s, parent, "/counter?id=a", &first)
	getJSON(t, s, parent, "/counter?id=a", &second)
	if first.Value != 1 || second.Value != 2 {
		t.Errorf("counter of worker a = %d, %d; want 1, 2 (module state shared)", first.Value, second.Value)
	}
	if second.CodeCalls != first.CodeCalls {
		t.Errorf("getCode ran %d times for one ID; want once", second.CodeCalls)
	}

	getJSON(t, s, parent, "/counter?id=b", &other)
	if other.Value != 1 {
		t.Errorf("counter of worker b = %d; want 1 (own state)", other.Value)
	}
	pidA, pidB := pidOf(t, s, "test/LOADER", "a"), pidOf(t, s, "test/LOADER", "b")
	if pidA == 0 || pidB == 0 || pidA == pidB {
		t.Errorf("process IDs of workers a and b = %d, %d; want two different running processes", pidA, pidB)
	}
	children := childPIDs(t)
	if !children[pidA] || !children[pidB] {
		t.Errorf("workers a (%d) and b (%d) are not both child processes of the supervisor %v", pidA, pidB, children)
	}
}

func TestAnonymousWorkersNeverShare(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	var got struct{ Values []int }
	getJSON(t, s, parent, "/anonymous", &got)
	if fmt.Sprint(got.Values) != "[1 1 1]" {
		t.Errorf("load, get(null), get(undefined) counters = %v; want [1 1 1]", got.Values)
	}
}

func TestGetRaceStartsOneProcess(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)
	before := len(childPIDs(t))

	var got struct {
		Values    []int
		CodeCalls int
	}
	getJSON(t, s, parent, "/race?id=raced", &got)
	if got.CodeCalls != 1 {
		t.Errorf("getCode ran %d times for two racing gets; want 1", got.CodeCalls)
	}
	if fmt.Sprint(got.Values) != "[1 2]" {
		t.Errorf("counters = %v; want [1 2] from one shared worker", got.Values)
	}
	if after := len(childPIDs(t)); after != before+1 {
		t.Errorf("child processes went from %d to %d; want one more", before, after)
	}
}

func TestLoadFailures(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	tests := []struct {
		name, failure, wantName, wantMessage string
	}{
		{"getCode throws", "throws", "Error", "boom"},
		{"getCode rejects", "rejects", "TypeError", "bad type"},
		{"invalid date", "invalidDate", "Error", "Invalid compatibility date: 2025-6-1"},
		{"no modules", "noModules", "TypeError", "Dynamic Worker code must contain at least one module."},
		{"missing main module", "missingMain", "Error", "Failed to start Worker:\nUncaught Error: No such module: index.js"},
		{"top level throws", "topLevelThrows", "Error", "Failed to start Worker:\nUncaught Error: top"},
		{"syntax error", "syntaxError", "Error", "Failed to start Worker:\nUncaught SyntaxError: "},
		{"missing import", "missingImport", "Error", "Failed to start Worker:\nUncaught Error: No such module \"nope.js\".\n  imported from \"a.js\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type outcome struct{ Name, Message string }
			var got struct{ RPC, Fetch outcome }
			getJSON(t, s, parent, "/fail?id=fail-"+tt.failure+"&case="+tt.failure, &got)
			for _, o := range []outcome{got.RPC, got.Fetch} {
				if o.Name != tt.wantName {
					t.Errorf("error name = %q; want %q", o.Name, tt.wantName)
				}
				if !strings.HasPrefix(o.Message, tt.wantMessage) {
					t.Errorf("error message = %q; want it to start with %q", o.Message, tt.wantMessage)
				}
			}
		})
	}

	// The supervisor keeps serving after every failure.
	var c struct{ Value int }
	getJSON(t, s, parent, "/counter?id=after-failures", &c)
	if c.Value != 1 {
		t.Errorf("counter after failures = %d; want 1", c.Value)
	}
}

func TestFailureSticksToID(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	var first, again struct{ RPC struct{ Message string } }
	getJSON(t, s, parent, "/fail?id=sticky&case=throws", &first)
	getJSON(t, s, parent, "/fail?id=sticky&case=rejects", &again)
	if again.RPC.Message != "boom" {
		t.Errorf("second get of a failed ID: message %q; want the first failure, \"boom\"", again.RPC.Message)
	}
}

func TestEntrypointErrors(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	tests := []struct{ name, path, wantName, wantMessage string }{
		{"missing entrypoint", "/no-entrypoint", "Error", "Worker has no such entrypoint: Nope"},
		{"missing method", "/no-method", "TypeError", `The RPC receiver does not implement the method "decrement".`},
		{"load validates synchronously", "/load-invalid", "TypeError", "Dynamic Worker code must contain at least one module."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Name, Message string }
			getJSON(t, s, parent, tt.path, &got)
			if got.Name != tt.wantName || got.Message != tt.wantMessage {
				t.Errorf("got %s: %q; want %s: %q", got.Name, got.Message, tt.wantName, tt.wantMessage)
			}
		})
	}
}

func TestKilledWorkerhost(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	var c struct{ Value int }
	getJSON(t, s, parent, "/counter?id=victim", &c)
	pid := pidOf(t, s, "test/LOADER", "victim")
	if pid == 0 {
		t.Fatal("worker victim has no process")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	// The next call either fails with a clear error or reaches a fresh
	// process; it must not hang (the test context bounds it).
	req, _ := http.NewRequest("GET", "http://parent/counter?id=victim", nil)
	resp, err := s.Fetch(testContext(t), parent, "", req)
	want := 1
	if err != nil {
		// The parent does not catch the error, so it reaches this caller.
		msg := err.Error()
		if !strings.Contains(msg, "worker victim: workerhost process") || !strings.Contains(msg, "exited (signal: killed)") {
			t.Errorf("call after kill: %q; want an error saying the process was killed", msg)
		}
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != `{"value":1,"codeCalls":1}` {
			t.Errorf("call after kill: %q; want a fresh counter", body)
		}
		want = 2
	}
	getJSON(t, s, parent, "/counter?id=victim", &c)
	if c.Value != want {
		t.Errorf("counter after restart = %d; want %d from a fresh process", c.Value, want)
	}
	if newPID := pidOf(t, s, "test/LOADER", "victim"); newPID == pid || newPID == 0 {
		t.Errorf("process after kill = %d; want a new process (old %d)", newPID, pid)
	}
}

func TestConcurrentCallsManyWorkers(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			var c struct{ Value int }
			getJSON(t, s, parent, fmt.Sprintf("/counter?id=many-%d", i), &c)
		})
	}
	wg.Wait()
}
