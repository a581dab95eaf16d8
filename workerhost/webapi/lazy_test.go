package webapi

import (
	"fmt"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/eventloop"
)

// newInstalledHost is newTestHost with the lazy groups installed lazily or
// run at once.
func newInstalledHost(t testing.TB, lazy bool) *testHost {
	t.Helper()
	loop := eventloop.NewEventLoop(eventloop.EnableConsole(false))
	host := &testHost{loop: loop}
	loop.Start()
	t.Cleanup(loop.Terminate)
	errc := make(chan error, 1)
	loop.RunOnLoop(func(rt *goja.Runtime) { errc <- install(rt, host, lazy) })
	if err := <-errc; err != nil {
		t.Fatalf("install: %v", err)
	}
	return host
}

// snapshotGlobals describes every global, and the own properties of each
// object or function global and of its prototype: keys in order, property
// attributes, and the name, length and source text of functions.
const snapshotGlobals = `
const describe = (obj) => Reflect.ownKeys(obj).map((key) => {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  const fn = typeof d.value === "function"
    ? [d.value.name, d.value.length, Function.prototype.toString.call(d.value)]
    : null;
  return [String(key), "value" in d ? typeof d.value : "accessor", d.writable, d.enumerable, d.configurable, fn];
});
const out = { globalThis: describe(globalThis) };
for (const key of Reflect.ownKeys(globalThis)) {
  const value = globalThis[key];
  if (value === globalThis || (typeof value !== "function" && (typeof value !== "object" || value === null))) {
    continue;
  }
  out[String(key)] = describe(value);
  if (typeof value === "function" && value.prototype) {
    out[String(key) + ".prototype"] = describe(value.prototype);
  }
}
return JSON.stringify(out);
`

func TestLazyGlobalsMatchEager(t *testing.T) {
	eager := newInstalledHost(t, false)
	lazy := newInstalledHost(t, true)

	keys := `return JSON.stringify(Reflect.ownKeys(globalThis).map(String))`
	if got, want := lazy.mustAwait(t, keys), eager.mustAwait(t, keys); got != want {
		t.Errorf("keys of globalThis before first use:\n got %v\nwant %v", got, want)
	}
	if got, want := lazy.mustAwait(t, snapshotGlobals), eager.mustAwait(t, snapshotGlobals); got != want {
		t.Errorf("globals after first use differ:\n got %v\nwant %v", got, want)
	}
	internalKeys := func(h *testHost) map[string]bool {
		keys := make(map[string]bool)
		h.onLoop(t, func(rt *goja.Runtime) {
			st, err := lookup(rt)
			if err != nil {
				t.Fatal(err)
			}
			st.runAllLazy()
			for _, k := range st.internal.Keys() {
				keys[k] = true
			}
		})
		return keys
	}
	if got, want := internalKeys(lazy), internalKeys(eager); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("internal names after first use:\n got %v\nwant %v", got, want)
	}
}

// lazyStates returns the state of each lazy group in h's runtime, by its
// first file.
func lazyStates(t *testing.T, h *testHost) map[string]lazyState {
	t.Helper()
	states := make(map[string]lazyState)
	h.onLoop(t, func(rt *goja.Runtime) {
		st, err := lookup(rt)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range lazyGroups {
			states[g.files[0]] = st.lazy[g]
		}
	})
	return states
}

func TestLazyGroupsWaitForUse(t *testing.T) {
	h := newInstalledHost(t, true)
	h.mustAwait(t, `
		const response = new Response(new Uint8Array([104, 105]), { headers: { "x-a": "b" } });
		console.log("a string");
		const text = await response.text();
		const request = new Request("https://example.com/", { method: "POST", body: "x" });
		return text + (await request.text()) + new TextDecoder().decode(new TextEncoder().encode("!"));
	`)
	for file, state := range lazyStates(t, h) {
		if state != lazyPending {
			t.Errorf("group of %s ran (state %d) though nothing used it", file, state)
		}
	}

	h.mustAwait(t, `return typeof ReadableStream`)
	states := lazyStates(t, h)
	if states["readable.js"] != lazyDone {
		t.Errorf("streams not installed after typeof ReadableStream: state %d", states["readable.js"])
	}
	if states["events.js"] != lazyPending {
		t.Errorf("events installed by a use of streams: state %d", states["events.js"])
	}
}

// TestLazyGlobalsBehaveAsEager runs each script in a runtime of its own,
// once with the lazy groups installed lazily and once run at once, and
// compares the results.
func TestLazyGlobalsBehaveAsEager(t *testing.T) {
	tests := []struct {
		name   string
		script string
	}{
		{"typeof", `return [typeof ReadableStream, typeof AbortController, typeof structuredClone].join()`},
		{"instanceof", `return new Response("x").body instanceof ReadableStream`},
		{"body stream first", `const r = new Response("abc"); return [r.body.constructor === ReadableStream, await r.text()].join()`},
		{"descriptor before use", `return JSON.stringify(Object.getOwnPropertyDescriptor(globalThis, "TransformStream")) + typeof Object.getOwnPropertyDescriptor(globalThis, "TransformStream").value`},
		{"Reflect descriptor", `const d = Reflect.getOwnPropertyDescriptor(globalThis, "Event"); return [d.writable, d.enumerable, d.configurable, d.value === Event].join()`},
		{"descriptors of all", `const d = Object.getOwnPropertyDescriptors(globalThis); return Object.keys(d).filter((k) => "get" in d[k]).join()`},
		{"delete then use another", `delete globalThis.WritableStream; const t = new TransformStream(); return [typeof globalThis.WritableStream, typeof t.writable.getWriter, "WritableStream" in globalThis].join()`},
		{"replace after delete", `delete globalThis.ReadableStream; globalThis.ReadableStream = 5; new TransformStream(); return [ReadableStream, Object.getOwnPropertyNames(globalThis).slice(-1)[0]].join()`},
		{"assign before use", `ReadableStream = 1; return [ReadableStream, typeof WritableStream, Object.getOwnPropertyDescriptor(globalThis, "ReadableStream").writable].join()`},
		{"define partial before use", `Object.defineProperty(globalThis, "AbortSignal", { writable: false }); const d = Object.getOwnPropertyDescriptor(globalThis, "AbortSignal"); return [typeof d.value, d.writable, d.configurable].join()`},
		{"define value before use", `Reflect.defineProperty(globalThis, "Event", { value: 3 }); return JSON.stringify(Object.getOwnPropertyDescriptor(globalThis, "Event"))`},
		{"define many before use", `Object.defineProperties(globalThis, { structuredClone: { enumerable: true } }); return Object.keys(globalThis).join()`},
		{"freeze", `Object.freeze(globalThis); const d = Object.getOwnPropertyDescriptor(globalThis, "TransformStream"); return [typeof d.value, d.writable, d.configurable, Object.isFrozen(globalThis)].join()`},
		{"seal", `Object.seal(globalThis); return [typeof ReadableStream, Object.isSealed(globalThis)].join()`},
		{"proxy of globalThis", `const p = new Proxy(globalThis, {}); return JSON.stringify(Object.getOwnPropertyDescriptor(p, "IdentityTransformStream")) + typeof p.IdentityTransformStream`},
		{"inheriting object", `const o = Object.create(globalThis); o.TransformStream = 1; return [Object.hasOwn(o, "TransformStream"), o.TransformStream, typeof TransformStream].join()`},
		{"with", `return new Function("with (globalThis) { return typeof AbortController; }")()`},
		{"key order after use", `new TransformStream(); new AbortController(); structuredClone(1); return Reflect.ownKeys(globalThis).map(String).join()`},
		{"wrapped builtins", `return [Object.defineProperty, Object.getOwnPropertyDescriptor, Reflect.defineProperty, Object.freeze].map((f) => [String(f), f.name, f.length, Reflect.ownKeys(f).join("/"), "prototype" in f, Object.getPrototypeOf(f) === Function.prototype, JSON.stringify(Object.getOwnPropertyDescriptor(f, "name"))].join()).join(";")`},
		{"wrapped builtin descriptor", `return JSON.stringify(Object.getOwnPropertyDescriptor(Object, "defineProperty")) + Object.keys(Object).join()`},
		{"wrapped builtin error", `try { Object.defineProperty(1, "x", {}); } catch (e) { return [e.name, e.message, e.stack.split("\n").length].join(); }`},
		{"wrapped builtin not a constructor", `try { new Object.getOwnPropertyDescriptor({}, "x"); } catch (e) { return [e.name, e.message].join(); }`},
		{"abort signal", `const c = new AbortController(); c.abort(); return [c.signal.aborted, c.signal.reason.name, c.signal instanceof EventTarget].join()`},
		{"request signal", `return new Request("https://example.com/").signal instanceof AbortSignal`},
		{"stream round trip", `const { readable, writable } = new TransformStream(); const w = writable.getWriter(); w.write(new Uint8Array([1, 2])); w.close(); return (await new Response(readable).arrayBuffer()).byteLength`},
		{"pipe", `const chunks = []; await ReadableStream.from(["a", "b"]).pipeTo(new WritableStream({ write(c) { chunks.push(c); } })); return chunks.join()`},
		{"structuredClone", `return structuredClone(new Map([[1, { a: [2] }]])).get(1).a[0]`},
		{"toString tags", `return [new ReadableStream(), new AbortController(), new TransformStream()].map((v) => Object.prototype.toString.call(v)).join()`},
		{"DOMException from lazy code", `try { structuredClone(() => 1); } catch (e) { return [e instanceof DOMException, e.name].join(); }`},
		{"monkey-patched builtins", `Object.assign = null; Object.defineProperty = null; return [typeof ReadableStream, typeof new TransformStream().readable].join()`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := newInstalledHost(t, false).await(t, tt.script)
			if err != nil {
				t.Fatalf("script failed with every group run at once: %v", err)
			}
			got, err := newInstalledHost(t, true).await(t, tt.script)
			if err != nil {
				t.Fatalf("script failed with lazy groups: %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("lazy result:\n%v\neager result:\n%v", got, want)
			}
		})
	}
}

func TestLazyConsoleInspectsAsEager(t *testing.T) {
	script := `console.log({ a: [1, { b: 2 }] }, new Headers({ x: "y" })); console.error("%o", [1]); return 1`
	eager := newInstalledHost(t, false)
	lazy := newInstalledHost(t, true)
	eager.mustAwait(t, script)
	lazy.mustAwait(t, script)
	if got, want := fmt.Sprint(lazy.takeLogs()), fmt.Sprint(eager.takeLogs()); got != want {
		t.Errorf("lazy logs %s, eager logs %s", got, want)
	}
}

func TestLazyGroupRetriesAfterError(t *testing.T) {
	h := newInstalledHost(t, true)
	_, err := h.await(t, `const saved = Symbol; globalThis.Symbol = undefined; try { return typeof ReadableStream; } finally { globalThis.Symbol = saved; }`)
	if err == nil {
		t.Fatal("first use of streams with Symbol removed succeeded, want an error")
	}
	if state := lazyStates(t, h)["readable.js"]; state != lazyPending {
		t.Fatalf("streams group state %d after a failed install, want pending", state)
	}
	got := h.mustAwait(t, `
		const d = Object.getOwnPropertyDescriptor(globalThis, "ReadableStream");
		const piped = [];
		await new ReadableStream({ start(c) { c.enqueue(1); c.close(); } })
			.pipeTo(new WritableStream({ write(chunk) { piped.push(chunk); } }));
		return [typeof d.value, d.writable, piped.join()].join();
	`)
	if got != "function,true,1" {
		t.Errorf("streams after a retried install: got %v, want function,true,1", got)
	}
}
