package supervisor_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	"github.com/dynworker/dynworker/supervisor"
)

const fetcherSource = `
export default {
  async fetch(request) {
    const target = new URL(request.url).searchParams.get("target");
    try {
      const resp = await fetch(target);
      return new Response("got " + resp.status + " " + await resp.text());
    } catch (e) {
      return new Response(e.name + ": " + e.message);
    }
  },
};`

func fetchBody(t testing.TB, s *supervisor.Supervisor, handle, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	resp, err := s.Fetch(testContext(t), handle, "", req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestGlobalOutbound(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "from backend")
	}))
	defer backend.Close()
	s := newSupervisor(t, supervisor.Config{AllowPrivateNetwork: true})
	ctx := testContext(t)

	open, err := s.Load(ctx, "outbound", jsCode("main.js", fetcherSource))
	if err != nil {
		t.Fatal(err)
	}
	if got := fetchBody(t, s, open, "http://worker/?target="+backend.URL); got != "got 200 from backend" {
		t.Errorf("fetch with inherited outbound = %q; want the backend's response", got)
	}

	closed := jsCode("main.js", fetcherSource)
	closed.GlobalOutbound = &pb.GlobalOutbound{Kind: &pb.GlobalOutbound_None{None: &pb.Empty{}}}
	denied, err := s.Load(ctx, "outbound", closed)
	if err != nil {
		t.Fatal(err)
	}
	want := "Error: This worker is not permitted to access the internet via global functions like fetch(). It must use capabilities (such as bindings in 'env') to talk to the outside world."
	if got := fetchBody(t, s, denied, "http://worker/?target="+backend.URL); got != want {
		t.Errorf("fetch with globalOutbound null = %q; want %q", got, want)
	}
}

func TestOutboundRefusesPrivateAddresses(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the backend on loopback was reached")
	}))
	defer backend.Close()
	s := newSupervisor(t, supervisor.Config{})
	h, err := s.Load(testContext(t), "outbound", jsCode("main.js", fetcherSource))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(backend.URL, "http://")
	tests := []struct{ name, url, want string }{
		{"loopback", backend.URL, "TypeError: Network connection failed: connecting to " + addr + " is not allowed."},
		{"localhost", "http://localhost:" + strings.Split(addr, ":")[1], "TypeError: Network connection failed: connecting to "},
		{"unspecified", "http://0.0.0.0:" + strings.Split(addr, ":")[1], "TypeError: Network connection failed: connecting to 0.0.0.0:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fetchBody(t, s, h, "http://worker/?target="+tt.url); !strings.HasPrefix(got, tt.want) {
				t.Errorf("fetch %s = %q; want it to start with %q", tt.url, got, tt.want)
			}
		})
	}
}

func TestEvictReloadsFromCachedCode(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	parent := startParent(t, s)

	var c struct{ Value, CodeCalls int }
	getJSON(t, s, parent, "/counter?id=evictee", &c)
	calls := c.CodeCalls
	pid := pidOf(t, s, "test/LOADER", "evictee")

	evicted, err := s.Evict("test/LOADER", "evictee")
	if err != nil || !evicted {
		t.Fatalf("Evict = %v, %v; want true", evicted, err)
	}
	if p := pidOf(t, s, "test/LOADER", "evictee"); p != 0 {
		t.Errorf("process %d still listed after eviction", p)
	}
	if childPIDs(t)[pid] {
		t.Errorf("process %d still runs after eviction", pid)
	}

	getJSON(t, s, parent, "/counter?id=evictee", &c)
	if c.Value != 1 || c.CodeCalls != calls {
		t.Errorf("after eviction: counter %d, getCode calls %d; want 1 and %d (reloaded from cached code)", c.Value, c.CodeCalls, calls)
	}

	if _, err := s.Evict("test/LOADER", "nope"); err == nil || !strings.Contains(err.Error(), `evict worker "nope" in namespace "test/LOADER": worker not found`) {
		t.Errorf("Evict of an unknown worker: %v", err)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := supervisor.New(supervisor.Config{WarmPool: 1})
	if err != nil {
		t.Fatal(err)
	}
	parent := startParent(t, s)
	var c struct{ Value int }
	getJSON(t, s, parent, "/counter?id=x", &c)
	pids := childPIDs(t)
	s.Close()

	for pid := range pids {
		if childPIDs(t)[pid] {
			t.Errorf("workerhost %d still runs after Close", pid)
		}
	}
	// Goroutines of gRPC connections end shortly after their peers do.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestWarmPool(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{WarmPool: 2})
	parent := startParent(t, s)

	// The parent and exactly two prepared, blank workerhosts.
	deadline := time.Now().Add(20 * time.Second)
	for len(childPIDs(t)) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(childPIDs(t)); n != 3 {
		t.Errorf("%d workerhosts with a warm pool of 2; want the parent and 2 blank ones", n)
	}

	var c struct{ Value int }
	for i := range 3 {
		getJSON(t, s, parent, fmt.Sprintf("/counter?id=pooled-%d", i), &c)
		if c.Value != 1 {
			t.Errorf("worker pooled-%d counter = %d; want 1", i, c.Value)
		}
	}
}

func TestIdleEviction(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{IdleTimeout: 200 * time.Millisecond})
	parent := startParent(t, s)
	var c struct{ Value, CodeCalls int }
	getJSON(t, s, parent, "/counter?id=sleepy", &c)
	calls := c.CodeCalls

	deadline := time.Now().Add(10 * time.Second)
	for pidOf(t, s, "test/LOADER", "sleepy") != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if pid := pidOf(t, s, "test/LOADER", "sleepy"); pid != 0 {
		t.Fatalf("idle worker still runs as process %d", pid)
	}
	for _, w := range s.Workers() {
		if w.ID == "sleepy" && w.StopReason() != "evicted" {
			t.Errorf("stop reason = %q; want evicted", w.StopReason())
		}
	}
	if pidOf(t, s, supervisor.ParentNamespace, "parent") == 0 {
		t.Error("the parent worker was evicted; parents must stay")
	}
	getJSON(t, s, parent, "/counter?id=sleepy", &c)
	if c.Value != 1 || c.CodeCalls != calls {
		t.Errorf("after idle eviction: counter %d, getCode calls %d; want 1 and %d", c.Value, c.CodeCalls, calls)
	}
}

func TestStackOverflowRestartsWorker(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	ctx := testContext(t)
	h, err := s.Load(ctx, "hostile", jsCode("main.js", `
import { WorkerEntrypoint } from "cloudflare:workers";
function f(n) { return f(n + 1) + 1; }
export default class extends WorkerEntrypoint {
  async recurse() { await null; return f(0); }
  ok() { return "ok"; }
}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Call(ctx, h, "", "recurse", nil)
	if err == nil || !strings.Contains(err.Error(), "RangeError: Maximum call stack size exceeded") {
		t.Errorf("recurse() = %v; want the RangeError", err)
	}
	// The broken workerhost exits; a later call reaches a fresh one.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		v, err := s.Call(ctx, h, "", "ok", nil)
		if err == nil {
			if v.GetString_() != "ok" {
				t.Errorf("ok() = %v", v)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Error("the worker never answered again after the stack overflow")
}

func TestWorkerhostInheritsNoStrayDescriptors(t *testing.T) {
	// A descriptor opened without close-on-exec, as a shell might leave one.
	fd, err := syscall.Open(os.DevNull, syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)

	s := newSupervisor(t, supervisor.Config{})
	h, err := s.Load(testContext(t), "fds", jsCode("main.js", `export default { fetch() { return new Response("ok"); } };`))
	if err != nil {
		t.Fatal(err)
	}
	fetchBody(t, s, h, "http://worker/")
	w, err := s.Worker(h)
	if err != nil {
		t.Fatal(err)
	}
	pid := supervisor.PID(w)
	target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd))
	if err == nil && target == os.DevNull {
		t.Errorf("workerhost %d inherited descriptor %d (%s)", pid, fd, target)
	}
}

func TestMemoryBombIsContained(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{MemoryLimit: 256 << 20})
	ctx := testContext(t)
	h, err := s.Load(ctx, "hostile", jsCode("main.js", `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  bomb() { const parts = []; for (;;) { parts.push("x".repeat(1 << 24) + parts.length); } }
  ok() { return "ok"; }
}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Call(ctx, h, "", "bomb", nil)
	if err == nil || !strings.Contains(err.Error(), "out of memory: the worker used more than its limit of 256 MiB") {
		t.Errorf("bomb() = %v; want the out-of-memory exit", err)
	}
	// The next call starts a fresh workerhost.
	v, err := s.Call(ctx, h, "", "ok", nil)
	if err != nil || v.GetString_() != "ok" {
		t.Errorf("ok() after the bomb = %v, %v", v, err)
	}
}

// syncBuffer is a log destination safe for the supervisor's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConsoleGoesToSupervisorLog(t *testing.T) {
	var logs syncBuffer
	s := newSupervisor(t, supervisor.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := testContext(t)
	handle, err := s.Get(ctx, "logs", "chatty", func(context.Context) (*pb.WorkerCode, error) {
		return jsCode("main.js", `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  talk() {
    // Lines that look like go-plugin's handshake must not disturb it.
    console.log("1|1|unix|/tmp/fake|grpc");
    console.error("bad", { n: 1 });
    return "done";
  }
}`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		v, err := s.Call(ctx, handle, "", "talk", nil)
		if err != nil || v.GetString_() != "done" {
			t.Fatalf("talk() = %v, %v", v, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "bad { n: 1 }") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, `level=INFO msg=1|1|unix|/tmp/fake|grpc worker=chatty namespace=logs source=console`) {
		t.Errorf("console.log line missing from the supervisor log:\n%s", out)
	}
	if !strings.Contains(out, `level=ERROR msg="bad { n: 1 }" worker=chatty`) {
		t.Errorf("console.error line missing from the supervisor log:\n%s", out)
	}
}

func TestWorkerhostHasNoNewPrivs(t *testing.T) {
	s := newSupervisor(t, supervisor.Config{})
	h, err := s.Load(testContext(t), "privs", jsCode("main.js", `export default { fetch() { return new Response("ok"); } };`))
	if err != nil {
		t.Fatal(err)
	}
	fetchBody(t, s, h, "http://worker/")
	w, _ := s.Worker(h)
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", supervisor.PID(w)))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("list threads of the workerhost: %v", err)
	}
	for _, task := range tasks {
		status, err := os.ReadFile(task)
		if err != nil {
			continue // the thread ended
		}
		if !strings.Contains(string(status), "NoNewPrivs:\t1") {
			t.Errorf("thread %s of the workerhost lacks no_new_privs", task)
		}
	}
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", supervisor.PID(w)))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range strings.Split(string(env), "\x00") {
		if kv != "" && !strings.HasPrefix(kv, "PLUGIN_") && !strings.HasPrefix(kv, "DYNWORKER_WORKERHOST=") {
			t.Errorf("workerhost environment has %q; want only go-plugin's handshake variables", kv)
		}
	}
}

func TestOutboundFollowsRedirects(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		}
		fmt.Fprint(w, "at "+r.URL.Path)
	}))
	defer backend.Close()
	s := newSupervisor(t, supervisor.Config{AllowPrivateNetwork: true})
	h, err := s.Load(testContext(t), "outbound", jsCode("main.js", `
export default {
  async fetch(request) {
    const target = new URL(request.url).searchParams.get("target");
    const follow = await fetch(target);
    const manual = await fetch(target, { redirect: "manual" });
    return new Response(follow.status + " " + await follow.text() + " | " + manual.status + " " + manual.headers.get("location"));
  },
};`))
	if err != nil {
		t.Fatal(err)
	}
	if got := fetchBody(t, s, h, "http://worker/?target="+backend.URL+"/a"); got != "200 at /b | 302 /b" {
		t.Errorf("fetch with redirects = %q; want %q", got, "200 at /b | 302 /b")
	}

	loop, err := s.Load(testContext(t), "outbound", jsCode("main.js", fetcherSource))
	if err != nil {
		t.Fatal(err)
	}
	if got := fetchBody(t, s, loop, "http://worker/?target="+backend.URL+"/loop"); got != "TypeError: Too many redirects." {
		t.Errorf("fetch of a redirect loop = %q; want the TypeError", got)
	}
}
