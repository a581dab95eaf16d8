package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// TestNoHostGlobals checks that nothing that reaches files, processes or
// the Go side is visible to a worker.
func TestNoHostGlobals(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(entry + `
function result() {
  return ["require", "GoError", "process", "module", "exports", "Deno", "Bun", "__dwHost"]
    .map((name) => name + "=" + typeof globalThis[name]).join(" ") +
    " free-module=" + typeof module + " require-call=" + (() => {
      try { const name = "fs"; require(name); return "loaded"; } catch (e) { return e.message; }
    })();
}`)})
	want := "require=undefined GoError=undefined process=undefined module=undefined exports=undefined " +
		"Deno=undefined Bun=undefined __dwHost=undefined free-module=undefined " +
		`require-call=Dynamic require of "fs" is not supported`
	if got := callString(t, e, "run"); got != want {
		t.Errorf("globals: %s\nwant:    %s", got, want)
	}
}

func TestImportsReachNoFiles(t *testing.T) {
	tests := []struct{ name, spec, want string }{
		{"absolute path", "/etc/passwd", `No such module "etc/passwd".`},
		{"parent path", "../../../../etc/hostname", `No such module "etc/hostname".`},
		{"file URL", "file:///etc/passwd", `No such module "file:/etc/passwd".`},
		{"node module", "node:fs", `No such module "node:fs".`},
		{"bare package", "fs", `No such module "fs".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryEngine("main.js", map[string]*pb.Module{
				"main.js": js(`import x from "` + tt.spec + `"; export default {};`),
			}, nil)
			var se *rpcerr.ScriptError
			if !errors.As(err, &se) || !strings.Contains(se.Message, tt.want) {
				t.Errorf("import %q: %v; want %q", tt.spec, err, tt.want)
			}
		})
	}
}

// TestDeepRecursionFailsCall checks that unbounded recursion fails the call
// with V8's RangeError, synchronously and in an async function, and marks
// the engine broken so its workerhost restarts.
// NOTE: unlike in V8, the worker cannot catch this RangeError.
func TestDeepRecursionFailsCall(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(`
import { WorkerEntrypoint } from "cloudflare:workers";
function f(n) { return f(n + 1) + 1; }
export default class extends WorkerEntrypoint {
  sync() { return f(0); }
  async later() { await null; return f(0); }
  ok() { return "ok"; }
}`)})
	for _, method := range []string{"sync", "later"} {
		_, err := e.Call(ctxT(t), "", nil, method, nil)
		var se *rpcerr.ScriptError
		if !errors.As(err, &se) || se.Name != "RangeError" || se.Message != "Maximum call stack size exceeded" {
			t.Errorf("%s(): %v; want RangeError: Maximum call stack size exceeded", method, err)
		}
	}
	if !e.Broken() {
		t.Error("engine not marked broken after a stack overflow")
	}
}

func TestUnhandledRejectionLogged(t *testing.T) {
	host := &noHost{logs: make(chan string, 10)}
	code := &pb.WorkerCode{CompatibilityDate: "2025-06-01", MainModule: "main.js", Modules: []*pb.Module{
		{Name: "main.js", Content: &pb.Module_Js{Js: entry + `
function result() {
  Promise.reject(new TypeError("nobody listens"));
  const handledLater = Promise.reject(new Error("handled"));
  queueMicrotask(() => handledLater.catch(() => {}));
  return "done";
}`}},
	}}
	e, err := New(Config{Code: code, Host: host})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := callString(t, e, "run"); got != "done" {
		t.Fatalf("run() = %q", got)
	}
	select {
	case line := <-host.logs:
		if line != "error: Uncaught (in promise) TypeError: nobody listens" {
			t.Errorf("log = %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no log for the unhandled rejection")
	}
	select {
	case line := <-host.logs:
		t.Errorf("unexpected log %q: the second rejection was handled", line)
	case <-time.After(100 * time.Millisecond):
	}
}

// lookupHost is a Host whose loader requests code once and records the
// failure the worker reports.
type lookupHost struct {
	noHost
	failed chan *pb.ErrorValue
}

func (*lookupHost) LoaderGet(context.Context, string, string) (string, string, error) {
	return "", "token", nil
}

func (h *lookupHost) LoaderProvide(_ context.Context, _ string, _ *pb.WorkerCode, e *pb.ErrorValue) (string, error) {
	if e != nil {
		h.failed <- e
	}
	return "", errNoHost
}

func TestGetCodeTimeout(t *testing.T) {
	old := CodeTimeout
	CodeTimeout = 200 * time.Millisecond
	defer func() { CodeTimeout = old }()

	host := &lookupHost{failed: make(chan *pb.ErrorValue, 1)}
	bindings := []*whpb.Binding{{Name: "LOADER", Kind: &whpb.Binding_Loader{Loader: &whpb.LoaderBinding{Id: "ns"}}}}
	code := &pb.WorkerCode{CompatibilityDate: "2025-06-01", MainModule: "main.js", Modules: []*pb.Module{
		{Name: "main.js", Content: &pb.Module_Js{Js: entry + `
import { env } from "cloudflare:workers";
async function result() {
  try {
    await env.LOADER.get("stuck", () => new Promise(() => {})).getEntrypoint().ping();
    return "answered";
  } catch (e) {
    return e.message;
  }
}`}},
	}}
	e, err := New(Config{Code: code, Bindings: bindings, Host: host})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	want := `the getCode callback for worker "stuck" did not return within 200ms`
	if got := callString(t, e, "run"); got != want {
		t.Errorf("call through a stuck getCode = %q; want %q", got, want)
	}
	select {
	case ev := <-host.failed:
		if ev.Message != want {
			t.Errorf("failure sent to the supervisor = %q", ev.Message)
		}
	case <-time.After(5 * time.Second):
		t.Error("the failure never reached the supervisor")
	}
}
