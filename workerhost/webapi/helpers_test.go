package webapi

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/eventloop"
	"github.com/evanw/esbuild/pkg/api"
)

const testTimeout = 10 * time.Second

type logEntry struct {
	level   string
	message string
}

// testHost implements Host over a real goja_nodejs event loop.
type testHost struct {
	loop *eventloop.EventLoop

	mu    sync.Mutex
	logs  []logEntry
	fetch func(ctx context.Context, req *http.Request) (*http.Response, error)
}

func (h *testHost) RunOnLoop(fn func(*goja.Runtime)) bool {
	return h.loop.RunOnLoop(fn)
}

func (h *testHost) Log(level, message string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, logEntry{level, message})
}

func (h *testHost) Fetch(ctx context.Context, req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	fetch := h.fetch
	h.mu.Unlock()
	if fetch == nil {
		return nil, fmt.Errorf("no fetch handler in test")
	}
	return fetch(ctx, req)
}

func (h *testHost) setFetch(fn func(ctx context.Context, req *http.Request) (*http.Response, error)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fetch = fn
}

func (h *testHost) takeLogs() []logEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	logs := h.logs
	h.logs = nil
	return logs
}

// newTestHost starts an event loop with the globals installed. The loop is
// terminated when the test ends, after which no goroutine may remain.
func newTestHost(t testing.TB) *testHost {
	t.Helper()
	checkGoroutines(t)
	loop := eventloop.NewEventLoop(eventloop.EnableConsole(false))
	host := &testHost{loop: loop}
	loop.Start()
	t.Cleanup(loop.Terminate)
	errc := make(chan error, 1)
	loop.RunOnLoop(func(rt *goja.Runtime) {
		errc <- Install(rt, host)
	})
	if err := <-errc; err != nil {
		t.Fatalf("Install: %v", err)
	}
	return host
}

// onLoop runs fn on the loop and waits for it.
func (h *testHost) onLoop(t testing.TB, fn func(rt *goja.Runtime)) {
	t.Helper()
	done := make(chan struct{})
	if !h.RunOnLoop(func(rt *goja.Runtime) {
		defer close(done)
		fn(rt)
	}) {
		t.Fatal("event loop stopped")
	}
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("timed out waiting for the event loop")
	}
}

// await runs src as the body of an async function on the loop and waits for
// its promise. It returns the exported result, or the thrown value as a string.
func (h *testHost) await(t testing.TB, src string) (any, error) {
	t.Helper()
	return h.awaitProgram(t, "(async () => {\n"+src+"\n})()")
}

// awaitLowered is await for code that needs esbuild's lowering to ES2017, as the
// engine's bundler applies it, for example for-await loops.
func (h *testHost) awaitLowered(t testing.TB, src string) (any, error) {
	t.Helper()
	result := api.Transform("(async () => {\n"+src+"\n})()", api.TransformOptions{
		Target: api.ES2017,
		Loader: api.LoaderJS,
	})
	if len(result.Errors) > 0 {
		t.Fatalf("esbuild: %v", result.Errors[0].Text)
	}
	return h.awaitProgram(t, string(result.Code))
}

// awaitProgram runs code, which must evaluate to a promise, and waits for it.
func (h *testHost) awaitProgram(t testing.TB, code string) (any, error) {
	t.Helper()
	type outcome struct {
		value any
		err   error
	}
	ch := make(chan outcome, 1)
	h.RunOnLoop(func(rt *goja.Runtime) {
		v, err := rt.RunString(code)
		if err != nil {
			ch <- outcome{err: err}
			return
		}
		obj := v.ToObject(rt)
		then, _ := goja.AssertFunction(obj.Get("then"))
		onValue := func(c goja.FunctionCall) goja.Value {
			ch <- outcome{value: c.Argument(0).Export()}
			return goja.Undefined()
		}
		onError := func(c goja.FunctionCall) goja.Value {
			ch <- outcome{err: fmt.Errorf("%s", describeThrown(rt, c.Argument(0)))}
			return goja.Undefined()
		}
		if _, err := then(obj, rt.ToValue(onValue), rt.ToValue(onError)); err != nil {
			ch <- outcome{err: err}
		}
	})
	select {
	case o := <-ch:
		return o.value, o.err
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for script:\n%s", code)
		return nil, nil
	}
}

// mustAwait is await that fails the test on a rejection.
func (h *testHost) mustAwait(t testing.TB, src string) any {
	t.Helper()
	v, err := h.await(t, src)
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, src)
	}
	return v
}

func describeThrown(rt *goja.Runtime, v goja.Value) string {
	if obj, ok := v.(*goja.Object); ok {
		if name := obj.Get("name"); name != nil && !goja.IsUndefined(name) {
			return fmt.Sprintf("%s: %s", name.String(), obj.Get("message").String())
		}
	}
	return v.String()
}

// checkGoroutines fails the test if, once its cleanups ran, more goroutines
// exist than before it started, allowing a short time to settle.
func checkGoroutines(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutines leaked: %d before, %d after\n%s", before, n, buf)
		}
	})
}

// scriptCase is one row of a table of scripts. The script runs as the body of
// an async function. Its result printed with fmt.Sprint must equal want, unless
// wantErr is set, in which case the rejection must contain wantErr.
type scriptCase struct {
	name    string
	script  string
	want    string
	wantErr string
	lowered bool // run through esbuild first, for syntax goja lacks such as for-await
}

// runScripts runs each case as a subtest on one shared runtime.
func runScripts(t *testing.T, tests []scriptCase) {
	t.Helper()
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := h.await
			if tt.lowered {
				run = h.awaitLowered
			}
			got, err := run(t, tt.script)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got %v, want error containing %q", got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %q does not contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("script failed: %v", err)
			}
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}
