package webapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// loadModule evaluates a built-in module as the engine's bundler would see it,
// lowered to ES2017 CommonJS, and defines its exports as the global name.
func loadModule(t *testing.T, h *testHost, specifier, name string) {
	t.Helper()
	src, ok := BuiltinModule(specifier)
	if !ok {
		t.Fatalf("BuiltinModule(%q) not found", specifier)
	}
	result := api.Transform(src, api.TransformOptions{
		Format: api.FormatCommonJS,
		Target: api.ES2017,
		Loader: api.LoaderJS,
	})
	if len(result.Errors) > 0 {
		t.Fatalf("esbuild %s: %v", specifier, result.Errors[0].Text)
	}
	code := "(function () { const module = {exports: {}}; const exports = module.exports;\n" +
		string(result.Code) + "\nreturn module.exports; })()"
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := rt.RunString(code)
		if err != nil {
			t.Errorf("evaluate %s: %v", specifier, err)
			return
		}
		_ = rt.Set(name, v)
	})
}

// caughtJS defines caught(fn), which returns the message that fn throws.
const caughtJS = `
const { default: assert } = mod;
function caught(fn) {
  try { fn(); } catch (e) { return e.message; }
  return "no error";
}
`

func TestAssertModule(t *testing.T) {
	tests := []scriptCase{
		{name: "ok passes", script: `assert.ok(1); assert(true); return "fine"`, want: "fine"},
		{name: "ok fails", script: `return caught(() => assert.ok(false))`, want: "The expression evaluated to a falsy value:\n\n  assert.ok(false)\n"},
		{name: "ok without value", script: "return caught(() => assert.ok())", want: "No value argument passed to `assert.ok()`"},
		{name: "default export is ok", script: `return caught(() => assert(0))`, want: "The expression evaluated to a falsy value:\n\n  assert.ok(0)\n"},
		{name: "equal is loose", script: `assert.equal(1, "1"); return caught(() => assert.equal(1, 2))`, want: "1 == 2"},
		{name: "notEqual", script: `return caught(() => assert.notEqual(1, "1"))`, want: "1 != '1'"},
		{name: "strictEqual numbers", script: `return caught(() => assert.strictEqual(1, 2))`, want: "Expected values to be strictly equal:\n\n1 !== 2\n"},
		{name: "strictEqual strings", script: `return caught(() => mod.strictEqual("a", "b"))`, want: "Expected values to be strictly equal:\n\n'a' !== 'b'\n"},
		{name: "strictEqual same structure", script: `return caught(() => assert.strictEqual({a: 1}, {a: 1}))`, want: "Values have same structure but are not reference-equal:\n\n{\n  a: 1\n}\n"},
		{name: "strictEqual NaN", script: `assert.strictEqual(NaN, NaN); return "fine"`, want: "fine"},
		{name: "notStrictEqual", script: `return caught(() => assert.notStrictEqual(1, 1))`, want: "Expected \"actual\" to be strictly unequal to: 1"},
		{name: "deepEqual is loose", script: `assert.deepEqual({a: 1, b: [2]}, {a: "1", b: ["2"]}); return "fine"`, want: "fine"},
		{name: "deepEqual fails", script: `return caught(() => assert.deepEqual([1], [2]))`, want: "Expected values to be loosely deep-equal:\n\n[\n  1\n]\n\nshould loosely deep-equal\n\n[\n  2\n]"},
		{name: "deepStrictEqual diff", script: `return caught(() => assert.deepStrictEqual({a: 1, b: 2}, {a: "1", b: 2}))`, want: "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1,\n-   a: '1',\n    b: 2\n  }\n"},
		{name: "deepStrictEqual primitives", script: `return caught(() => assert.deepStrictEqual(1, 2))`, want: "Expected values to be strictly deep-equal:\n\n1 !== 2\n"},
		{name: "deepStrictEqual collections", script: `assert.deepStrictEqual(new Map([[{k: 1}, new Set([{v: 2}])]]), new Map([[{k: 1}, new Set([{v: 2}])]])); assert.deepStrictEqual([new Date(1), /x/g, new Uint8Array([1])], [new Date(1), /x/g, new Uint8Array([1])]); return "fine"`, want: "fine"},
		{name: "deepStrictEqual zero sign", script: `assert.deepEqual(0, -0); return caught(() => assert.deepStrictEqual(0, -0))`, want: "Expected values to be strictly deep-equal:\n\n0 !== -0\n"},
		{name: "deepStrictEqual prototypes", script: `class A {} return caught(() => assert.deepStrictEqual(new A(), {})).split("\n")[0]`, want: "Expected values to be strictly deep-equal:"},
		{name: "deepStrictEqual cycles", script: `const a = {}; a.a = a; const b = {}; b.a = b; assert.deepStrictEqual(a, b); return "fine"`, want: "fine"},
		{name: "deepStrictEqual Set mismatch", script: `return caught(() => assert.deepStrictEqual(new Set([1]), new Set([2]))).split("\n")[0]`, want: "Expected values to be strictly deep-equal:"},
		{name: "notDeepStrictEqual", script: `return caught(() => assert.notDeepStrictEqual({a: 1}, {a: 1}))`, want: "Expected \"actual\" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n"},
		{name: "throws with class", script: `assert.throws(() => { throw new TypeError("x"); }, TypeError); return "fine"`, want: "fine"},
		{name: "throws with RegExp", script: `assert.throws(() => { throw new Error("needle"); }, /needle/); return "fine"`, want: "fine"},
		{name: "throws with object", script: `assert.throws(() => { throw new TypeError("x"); }, {name: "TypeError", message: /x/}); return "fine"`, want: "fine"},
		{name: "throws with validator", script: `assert.throws(() => { throw 5; }, (e) => e === 5); return "fine"`, want: "fine"},
		{name: "throws missing", script: `return caught(() => assert.throws(() => {}))`, want: "Missing expected exception."},
		{name: "throws missing named", script: `return caught(() => assert.throws(() => {}, TypeError))`, want: "Missing expected exception (TypeError)."},
		{name: "throws missing with message", script: `return caught(() => assert.throws(() => {}, "should throw"))`, want: "Missing expected exception: should throw"},
		{name: "throws wrong class", script: `return caught(() => assert.throws(() => { throw new Error("a"); }, TypeError))`, want: "The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\na"},
		{name: "throws wrong RegExp", script: `return caught(() => assert.throws(() => { throw new Error("a"); }, /b/))`, want: "The input did not match the regular expression /b/. Input:\n\n'Error: a'\n"},
		{name: "throws wrong properties", script: `return caught(() => assert.throws(() => { throw new Error("a"); }, {message: "b"}))`, want: "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   message: 'a'\n-   message: 'b'\n  }\n"},
		{name: "throws needs a function", script: `try { assert.throws("x"); } catch (e) { return e.code + " " + e.message; }`, want: "ERR_INVALID_ARG_TYPE The \"fn\" argument must be of type function. Received type string ('x')"},
		{name: "doesNotThrow", script: `assert.doesNotThrow(() => 1); return caught(() => assert.doesNotThrow(() => { throw new Error("boom"); }))`, want: "Got unwanted exception.\nActual message: \"boom\""},
		{name: "rejects", script: `await assert.rejects(Promise.reject(new Error("x")), /x/); await assert.rejects(async () => { throw new TypeError("t"); }, TypeError); return "fine"`, want: "fine"},
		{name: "rejects missing", script: `try { await assert.rejects(Promise.resolve(1)); } catch (e) { return e.message; }`, want: "Missing expected rejection."},
		{name: "doesNotReject", script: `await assert.doesNotReject(Promise.resolve(1)); try { await assert.doesNotReject(Promise.reject(new Error("r"))); } catch (e) { return e.message; }`, want: "Got unwanted rejection.\nActual message: \"r\""},
		{name: "match", script: `assert.match("abc", /b/); return caught(() => assert.match("xyz", /abc/))`, want: "The input did not match the regular expression /abc/. Input:\n\n'xyz'\n"},
		{name: "match needs a string", script: `return caught(() => assert.match(1, /1/))`, want: "The \"string\" argument must be of type string. Received type number (1)"},
		{name: "doesNotMatch", script: `return caught(() => assert.doesNotMatch("abc", /b/))`, want: "The input was expected to not match the regular expression /b/. Input:\n\n'abc'\n"},
		{name: "fail", script: `return [caught(() => assert.fail()), caught(() => assert.fail("custom"))].join("|")`, want: "Failed|custom"},
		{name: "fail with Error", script: `try { assert.fail(new RangeError("r")); } catch (e) { return e.name; }`, want: "RangeError"},
		{name: "ifError", script: `assert.ifError(null); assert.ifError(undefined); return caught(() => assert.ifError(new Error("e")))`, want: "ifError got unwanted exception: e"},
		{name: "custom message", script: `try { assert.strictEqual(1, 2, "custom"); } catch (e) { return [e.message, e.generatedMessage].join(); }`, want: "custom,false"},
		{name: "Error as message", script: `try { assert.strictEqual(1, 2, new TypeError("mine")); } catch (e) { return e.name + ": " + e.message; }`, want: "TypeError: mine"},
		{
			name:   "AssertionError fields",
			script: `try { assert.strictEqual(1, 2); } catch (e) { return [e instanceof mod.AssertionError, e instanceof Error, e.name, e.code, e.actual, e.expected, e.operator, e.generatedMessage, String(e).split("\n")[0]].join("|"); }`,
			want:   "true|true|AssertionError|ERR_ASSERTION|1|2|strictEqual|true|AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
		},
		{name: "AssertionError constructor", script: `return new mod.AssertionError({actual: 1, expected: 2, operator: "strictEqual"}).message`, want: "Expected values to be strictly equal:\n\n1 !== 2\n"},
		{name: "strict property", script: `return caught(() => assert.strict.equal(1, "1"))`, want: "Expected values to be strictly equal:\n\n1 !== '1'\n"},
		{name: "strict module", script: `const s = strictMod.default; return [caught(() => s.deepEqual({a: 1}, {a: "1"})).split("\n")[0], strictMod.equal === strictMod.strictEqual].join("|")`, want: "Expected values to be strictly deep-equal:|true"},
	}
	h := newTestHost(t)
	loadModule(t, h, "node:assert", "mod")
	loadModule(t, h, "node:assert/strict", "strictMod")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.await(t, caughtJS+tt.script)
			if err != nil {
				t.Fatalf("script failed: %v", err)
			}
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("got\n%s\nwant\n%s", s, tt.want)
			}
		})
	}
}

func TestBuiltinModuleNames(t *testing.T) {
	tests := []struct {
		name      string
		specifier string
		wantOK    bool
	}{
		{name: "assert", specifier: "node:assert", wantOK: true},
		{name: "assert strict", specifier: "node:assert/strict", wantOK: true},
		{name: "unknown", specifier: "node:fs", wantOK: false},
		{name: "without prefix", specifier: "assert", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, ok := BuiltinModule(tt.specifier)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && !strings.Contains(src, "export default") {
				t.Error("source has no default export")
			}
		})
	}
}
