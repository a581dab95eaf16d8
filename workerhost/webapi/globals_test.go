package webapi

import (
	"strings"
	"testing"
)

func TestStructuredClone(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "plain object is a deep copy",
			script: `const a = {x: {y: [1, 2]}}; const b = structuredClone(a); b.x.y.push(3); return JSON.stringify([a, b])`,
			want:   `[{"x":{"y":[1,2]}},{"x":{"y":[1,2,3]}}]`,
		},
		{
			name:   "cycles",
			script: `const a = {}; a.self = a; const b = structuredClone(a); return b.self === b && b !== a`,
			want:   "true",
		},
		{
			name:   "Map Set Date RegExp",
			script: `const v = structuredClone({m: new Map([["k", new Set([1])]]), d: new Date(5), r: /x/gi}); return [v.m.get("k").has(1), v.d.getTime(), v.r.flags].join()`,
			want:   "true,5,gi",
		},
		{
			name:   "typed arrays share a cloned buffer",
			script: `const buf = new ArrayBuffer(4); const v = structuredClone({a: new Uint8Array(buf), b: new Uint16Array(buf, 2)}); v.a[2] = 7; return [v.a.buffer === v.b.buffer, v.a.buffer !== buf, v.b[0], new Uint8Array(buf)[2]].join()`,
			want:   "true,true,7,0",
		},
		{
			name:   "errors",
			script: `const e = structuredClone(new RangeError("r")); return [e instanceof RangeError, e.message].join()`,
			want:   "true,r",
		},
		{
			name:   "class instance becomes plain object",
			script: `class P { constructor() { this.x = 1; } } const v = structuredClone(new P()); return [v.x, v instanceof P].join()`,
			want:   "1,false",
		},
		{
			name:    "function",
			script:  `structuredClone({f() {}})`,
			wantErr: "DataCloneError",
		},
		{
			name:    "symbol",
			script:  `structuredClone(Symbol("s"))`,
			wantErr: "DataCloneError: Symbol(s) could not be cloned.",
		},
		{
			name:    "platform object",
			script:  `structuredClone(new Headers())`,
			wantErr: "DataCloneError: #<Headers> could not be cloned.",
		},
		{
			name:   "DataCloneError is a DOMException",
			script: `try { structuredClone(() => 1); } catch (e) { return [e instanceof DOMException, e.code].join(); }`,
			want:   "true,25",
		},
	}
	runScripts(t, tests)
}

func TestGlobals(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "randomUUID",
			script: `return /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())`,
			want:   "true",
		},
		{
			name:   "getRandomValues fills and returns the array",
			script: `const a = new Uint32Array(16); const r = crypto.getRandomValues(a); return r === a && a.some((x) => x !== 0)`,
			want:   "true",
		},
		{
			name:    "getRandomValues rejects floats",
			script:  `crypto.getRandomValues(new Float64Array(1))`,
			wantErr: "TypeMismatchError",
		},
		{
			name:    "getRandomValues quota",
			script:  `crypto.getRandomValues(new Uint8Array(65537))`,
			wantErr: "QuotaExceededError",
		},
		{
			name:   "navigator",
			script: `return navigator.userAgent`,
			want:   "Cloudflare-Workers",
		},
		{
			name:   "queueMicrotask runs before timers",
			script: `const out = []; setTimeout(() => out.push("timer"), 0); queueMicrotask(() => out.push("micro")); await new Promise((r) => setTimeout(r, 5)); return out.join()`,
			want:   "micro,timer",
		},
		{
			name:   "timers due together run in creation order",
			script: `const out = []; for (let i = 0; i < 20; i++) setTimeout(() => out.push(i), 0); setTimeout(() => out.push("late"), 3); await new Promise((r) => setTimeout(r, 10)); return out.join()`,
			want:   "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,late",
		},
		{
			name:   "timer ids are numbers from one pool",
			script: `let fired = false; const a = setTimeout(() => { fired = true; }, 1); const b = setInterval(() => {}, 1000); clearInterval(a); clearTimeout(b); await new Promise((r) => setTimeout(r, 5)); return [typeof a, b - a, fired].join()`,
			want:   "number,1,false",
		},
		{
			name:   "interval repeats until cleared",
			script: `let n = 0; await new Promise((r) => { const id = setInterval(() => { if (++n === 3) { clearInterval(id); r(); } }, 1); }); await new Promise((r) => setTimeout(r, 5)); return n`,
			want:   "3",
		},
		{
			name:    "timer callback must be a function",
			script:  `setTimeout("1 + 1", 0)`,
			wantErr: "TypeError: Failed to execute 'setTimeout' on 'ServiceWorkerGlobalScope': parameter 1 is not of type 'function'.",
		},
		{
			name:   "self and performance",
			script: `return self === globalThis && typeof performance.now() === "number"`,
			want:   "true",
		},
		{
			name:   "globals are not enumerable",
			script: `return Object.keys(globalThis).filter((k) => ["fetch", "Request", "console"].includes(k)).length`,
			want:   "0",
		},
		{
			name:   "URL with port and search params",
			script: `const u = new URL("https://h.example:8443/a?x=1"); u.searchParams.append("y", "2"); return [u.href, u.origin, u.pathname, u instanceof URL].join(" ")`,
			want:   "https://h.example:8443/a?x=1&y=2 https://h.example:8443 /a true",
		},
		{
			name:   "URL relative to base",
			script: `return new URL("../b?q", "https://h.example/x/y").href`,
			want:   "https://h.example/b?q",
		},
		{
			name:   "URL relative to a deeper base",
			script: `return [new URL("../d?q", "https://h.example/a/b/c").href, new URL("./e", new URL("https://h.example/a/b")).href, new URL("//o.example/x", "https://h.example/").href].join(" ")`,
			want:   "https://h.example/a/d?q https://h.example/a/e https://o.example/x",
		},
		{
			name:   "URL.canParse and parse",
			script: `return [URL.canParse("https://a"), URL.canParse("nope"), URL.parse("nope")].join()`,
			want:   "true,false,",
		},
		{
			name:   "URLSearchParams",
			script: `return new URLSearchParams("a=1&b=2&a=3").getAll("a").join()`,
			want:   "1,3",
		},
		{
			name:   "AbortController",
			script: `const c = new AbortController(); let seen = 0; c.signal.addEventListener("abort", () => seen++); c.signal.onabort = () => seen++; c.abort("why"); c.abort(); return [c.signal.aborted, c.signal.reason, seen].join()`,
			want:   "true,why,2",
		},
		{
			name:   "AbortSignal.abort default reason",
			script: `const s = AbortSignal.abort(); return s.reason.name + ": " + s.reason.message`,
			want:   "AbortError: This operation was aborted",
		},
		{
			name:    "throwIfAborted",
			script:  `AbortSignal.abort(new TypeError("stop")).throwIfAborted()`,
			wantErr: "TypeError: stop",
		},
		{
			name:   "AbortSignal.timeout",
			script: `const s = AbortSignal.timeout(1); await new Promise((r) => s.addEventListener("abort", r)); return s.reason.name`,
			want:   "TimeoutError",
		},
		{
			name:   "EventTarget once",
			script: `const t = new EventTarget(); let n = 0; t.addEventListener("x", () => n++, {once: true}); t.dispatchEvent(new Event("x")); t.dispatchEvent(new Event("x")); return n`,
			want:   "1",
		},
		{
			name:   "DOMException",
			script: `const e = new DOMException("m", "NotFoundError"); return [e.name, e.message, e.code, e instanceof Error, DOMException.NOT_FOUND_ERR].join()`,
			want:   "NotFoundError,m,8,true,8",
		},
	}
	runScripts(t, tests)
}

func TestConsole(t *testing.T) {
	tests := []struct {
		name   string
		script string
		level  string
		want   string
	}{
		{name: "strings raw", script: `console.log("a", "b")`, level: "log", want: "a b"},
		{name: "numbers and specials", script: `console.log(1, -0, 2n, null, undefined, true)`, level: "log", want: "1 -0 2n null undefined true"},
		{name: "object", script: `console.log({a: 1, b: "x", "c-d": [1, 2]})`, level: "log", want: "{ a: 1, b: 'x', 'c-d': [ 1, 2 ] }"},
		{name: "empty object and array", script: `console.log({}, [])`, level: "log", want: "{} []"},
		{name: "nested past depth", script: `console.log({a: {b: {c: {d: 1}}}})`, level: "log", want: "{ a: { b: { c: [Object] } } }"},
		{name: "format specifiers", script: `console.log("%s=%d %i %j %%", "x", 42.5, 7.9, {a: 1})`, level: "log", want: `x=42.5 7 {"a":1} %`},
		{name: "extra arguments", script: `console.log("%s", "a", "b", {c: 1})`, level: "log", want: "a b { c: 1 }"},
		{name: "Map and Set", script: `console.log(new Map([["a", 1]]), new Set([1]))`, level: "log", want: "Map(1) { 'a' => 1 } Set(1) { 1 }"},
		{name: "class instance", script: `class Point { constructor() { this.x = 1; } } console.log(new Point())`, level: "log", want: "Point { x: 1 }"},
		{name: "functions", script: `console.log(function foo() {}, class Bar {}, () => 1)`, level: "log", want: "[Function: foo] [class Bar] [Function (anonymous)]"},
		{name: "nested string quoting", script: `console.log(["it's"])`, level: "log", want: `[ "it's" ]`},
		{name: "circular", script: `const a = {}; a.a = a; console.log(a)`, level: "log", want: "{ a: [Circular *1] }"},
		{name: "typed array", script: `console.log(new Uint8Array([1, 2]))`, level: "log", want: "Uint8Array(2) [ 1, 2 ]"},
		{name: "date", script: `console.log(new Date(0))`, level: "log", want: "1970-01-01T00:00:00.000Z"},
		{name: "promise", script: `console.log(Promise.resolve(4))`, level: "log", want: "Promise { 4 }"},
		{name: "headers", script: `console.log(new Headers({b: "2", a: "1"}))`, level: "log", want: "Headers(2) { 'a' => '1', 'b' => '2' }"},
		{name: "long object breaks lines", script: `console.log({alpha: "aaaaaaaaaaaaaaaaaaaa", beta: "bbbbbbbbbbbbbbbbbbbb", gamma: "cccccccccccccccccccc"})`, level: "log", want: "{\n  alpha: 'aaaaaaaaaaaaaaaaaaaa',\n  beta: 'bbbbbbbbbbbbbbbbbbbb',\n  gamma: 'cccccccccccccccccccc'\n}"},
		{name: "info", script: `console.info("i")`, level: "info", want: "i"},
		{name: "warn", script: `console.warn("w")`, level: "warn", want: "w"},
		{name: "error", script: `console.error("e")`, level: "error", want: "e"},
		{name: "debug", script: `console.debug("d")`, level: "debug", want: "d"},
		{name: "assert", script: `console.assert(false, "x")`, level: "error", want: "Assertion failed: x"},
		{name: "group indents", script: `console.group(); console.log("in"); console.groupEnd()`, level: "log", want: "  in"},
	}
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.takeLogs()
			h.mustAwait(t, tt.script)
			logs := h.takeLogs()
			if len(logs) != 1 {
				t.Fatalf("got %d log entries, want 1: %v", len(logs), logs)
			}
			if logs[0].level != tt.level {
				t.Errorf("level %q, want %q", logs[0].level, tt.level)
			}
			if logs[0].message != tt.want {
				t.Errorf("message\n%s\nwant\n%s", logs[0].message, tt.want)
			}
		})
	}
}

func TestConsoleError(t *testing.T) {
	h := newTestHost(t)
	h.mustAwait(t, `console.error(new TypeError("bad"))`)
	logs := h.takeLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d log entries, want 1", len(logs))
	}
	if !strings.HasPrefix(logs[0].message, "TypeError: bad\n") {
		t.Errorf("message %q does not start with the error and its stack", logs[0].message)
	}
}

func TestQueueMicrotaskReportsErrors(t *testing.T) {
	h := newTestHost(t)
	h.mustAwait(t, `queueMicrotask(() => { throw new Error("oops"); }); await new Promise((r) => setTimeout(r, 1))`)
	logs := h.takeLogs()
	if len(logs) != 1 || logs[0].level != "error" || !strings.HasPrefix(logs[0].message, "Uncaught Error: oops") {
		t.Errorf("logs %v, want one error starting with %q", logs, "Uncaught Error: oops")
	}
}
