package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

func TestCallSettles(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(`
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  primitive() { return "p"; }
  async asyncValue() { await null; return "a"; }
  thenable() { return { then(resolve) { resolve("t"); } }; }
  // The result is serialized only after the microtasks that the method
  // queued have run.
  mutatedLater() {
    const out = { v: "before" };
    Promise.resolve().then(() => Promise.resolve()).then(() => { out.v = "after"; });
    return out;
  }
  resolvedLater() { return new Promise((resolve) => setTimeout(() => resolve("r"), 5)); }
}`)})
	tests := []struct {
		method string
		want   string
	}{
		{"primitive", "p"},
		{"asyncValue", "a"},
		{"thenable", "t"},
		{"resolvedLater", "r"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			if got := callString(t, e, tt.method); got != tt.want {
				t.Errorf("%s() = %q, want %q", tt.method, got, tt.want)
			}
		})
	}
	t.Run("mutatedLater", func(t *testing.T) {
		v, err := e.Call(ctxT(t), "", nil, "mutatedLater", nil)
		if err != nil {
			t.Fatal(err)
		}
		fields := v.GetObject().GetFields()
		if len(fields) != 1 || fields[0].GetValue().GetString_() != "after" {
			t.Errorf("mutatedLater() = %v, want {v: \"after\"}", v)
		}
	})
}

func TestCallRejects(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(`
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  throwsNow() { throw new RangeError("now"); }
  async rejects() { await null; throw new TypeError("later"); }
  rejectsWithString() { return Promise.reject("text"); }
}`)})
	tests := []struct {
		method, name, message string
	}{
		{"throwsNow", "RangeError", "now"},
		{"rejects", "TypeError", "later"},
		{"rejectsWithString", "Error", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			_, err := e.Call(ctxT(t), "", nil, tt.method, nil)
			var se *rpcerr.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want a script error", err)
			}
			if se.Name != tt.name {
				t.Errorf("name = %q, want %q", se.Name, tt.name)
			}
			if se.Message != tt.message {
				t.Errorf("message = %q, want %q", se.Message, tt.message)
			}
		})
	}
}

func TestCallPastDeadlineIsForgotten(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(`
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { never() { return new Promise(() => {}); } }`)})
	for range 3 {
		ctx, cancel := WithWallLimit(context.Background(), 20*time.Millisecond)
		_, err := e.Call(ctx, "", nil, "never", nil)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "wall-clock time limit") {
			t.Fatalf("error = %v, want the wall-clock limit", err)
		}
	}
	e.invocations.mu.Lock()
	pending := len(e.invocations.pending)
	e.invocations.mu.Unlock()
	if pending != 0 {
		t.Errorf("%d invocations still pending after their calls ended", pending)
	}
}

func TestCallArguments(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(`
import { WorkerEntrypoint } from "cloudflare:workers";
export class Counter extends WorkerEntrypoint { count(...args) { return String(args.length); } }
export default { echo(arg) { return arg; } };`)})
	str := func(s string) *pb.Value { return &pb.Value{Kind: &pb.Value_String_{String_: s}} }

	v, err := e.Call(ctxT(t), "Counter", nil, "count", nil)
	if err != nil || v.GetString_() != "0" {
		t.Errorf("count() = %v, %v; want \"0\"", v, err)
	}
	v, err = e.Call(ctxT(t), "Counter", nil, "count", []*pb.Value{str("a"), str("b")})
	if err != nil || v.GetString_() != "2" {
		t.Errorf("count(a, b) = %v, %v; want \"2\"", v, err)
	}
	v, err = e.Call(ctxT(t), "", nil, "echo", []*pb.Value{str("x")})
	if err != nil || v.GetString_() != "x" {
		t.Errorf("echo(x) = %v, %v; want \"x\"", v, err)
	}
	_, err = e.Call(ctxT(t), "", nil, "echo", nil)
	if err == nil || !strings.Contains(err.Error(), "with the wrong number of arguments") {
		t.Errorf("echo() error = %v, want the wrong number of arguments", err)
	}
}

func TestCtxMethodsWorkDetached(t *testing.T) {
	host := &noHost{logs: make(chan string, 10)}
	code := &pb.WorkerCode{CompatibilityDate: "2025-06-01", MainModule: "main.js", Modules: []*pb.Module{
		{Name: "main.js", Content: &pb.Module_Js{Js: `
export default {
  run(arg, env, ctx) {
    const { waitUntil, passThroughOnException } = ctx;
    waitUntil(Promise.reject(new Error("ignored")));
    passThroughOnException();
    return Object.keys(ctx).join();
  },
};`}},
	}}
	e, err := New(Config{Code: code, Host: host})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	v, err := e.Call(ctxT(t), "", nil, "run", []*pb.Value{{Kind: &pb.Value_Null{Null: &pb.Empty{}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.GetString_(), "props,exports,waitUntil,passThroughOnException"; got != want {
		t.Errorf("keys of ctx = %q, want %q", got, want)
	}
	select {
	case line := <-host.logs:
		t.Errorf("unexpected log %q: waitUntil handles rejections", line)
	case <-time.After(100 * time.Millisecond):
	}
}
