// Values passed to and returned from RPC methods of a dynamic worker. The
// worker's echo method returns its argument, and describe reports what the
// worker received, so both directions are checked.
import assert from "node:assert";

const source = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  echo(v) { return v; }
  argCount(...args) { return args.length; }
  describe(v) {
    return {
      type: typeof v,
      tag: Object.prototype.toString.call(v),
      ctor: v === null || v === undefined ? null : v.constructor.name,
    };
  }
  returnSymbol() { return { s: Symbol("x") }; }
}`;

function echoWorker(env) {
  return env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": source } }).getEntrypoint();
}

export const primitives = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    for (const v of [undefined, null, true, false, 0, 1.5, -7, Infinity, -Infinity, "", "héllo €"]) {
      assert.strictEqual(await ep.echo(v), v);
    }
    assert.ok(Number.isNaN(await ep.echo(NaN)));
    assert.ok(Object.is(await ep.echo(-0), -0));
    assert.deepStrictEqual(await ep.describe(null), { type: "object", tag: "[object Null]", ctor: null });
    assert.deepStrictEqual(await ep.describe("s"), { type: "string", tag: "[object String]", ctor: "String" });
  },
};

export const bigInts = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    assert.strictEqual(await ep.echo(123456789012345678901234567890n), 123456789012345678901234567890n);
    assert.strictEqual(await ep.echo(-5n), -5n);
    assert.deepStrictEqual(await ep.describe(1n), { type: "bigint", tag: "[object BigInt]", ctor: "BigInt" });
  },
};

export const objectsAndArrays = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const value = { a: 1, nested: { list: [1, "two", { three: 3 }], empty: {} }, arr: [] };
    assert.deepStrictEqual(await ep.echo(value), value);
    const withUndefined = await ep.echo({ u: undefined });
    assert.ok(Object.hasOwn(withUndefined, "u"));
    assert.strictEqual(withUndefined.u, undefined);
    const sparse = await ep.echo([1, , 3]);
    assert.strictEqual(sparse.length, 3);
    assert.strictEqual(sparse[1], undefined);
    assert.deepStrictEqual(await ep.describe([]), { type: "object", tag: "[object Array]", ctor: "Array" });
  },
};

export const mapsAndSets = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const map = await ep.echo(new Map([["a", 1], [2, { b: true }]]));
    assert.ok(map instanceof Map);
    assert.deepStrictEqual([...map], [["a", 1], [2, { b: true }]]);
    const set = await ep.echo(new Set([1, "two"]));
    assert.ok(set instanceof Set);
    assert.deepStrictEqual([...set], [1, "two"]);
    const nested = await ep.echo({ m: new Map([["k", new Set([1n])]]) });
    assert.ok(nested.m.get("k").has(1n));
    assert.deepStrictEqual(await ep.describe(new Map()), { type: "object", tag: "[object Map]", ctor: "Map" });
  },
};

export const dates = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const date = await ep.echo(new Date("2020-01-02T03:04:05.678Z"));
    assert.ok(date instanceof Date);
    assert.strictEqual(date.toISOString(), "2020-01-02T03:04:05.678Z");
    const invalid = await ep.echo(new Date(NaN));
    assert.ok(invalid instanceof Date);
    assert.ok(Number.isNaN(invalid.getTime()));
  },
};

export const bytes = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const u8 = await ep.echo(new Uint8Array([1, 2, 255]));
    assert.ok(u8 instanceof Uint8Array);
    assert.deepStrictEqual([...u8], [1, 2, 255]);
    const buffer = await ep.echo(new Uint8Array([9, 8]).buffer);
    assert.ok(buffer instanceof ArrayBuffer);
    assert.deepStrictEqual([...new Uint8Array(buffer)], [9, 8]);
    assert.deepStrictEqual(await ep.describe(new Uint8Array(1)), { type: "object", tag: "[object Uint8Array]", ctor: "Uint8Array" });
  },
};

export const otherTypedArrays = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const i32 = await ep.echo(new Int32Array([-1, 2]));
    assert.ok(i32 instanceof Int32Array);
    assert.deepStrictEqual([...i32], [-1, 2]);
    const view = await ep.echo(new DataView(new Uint8Array([7]).buffer));
    assert.ok(view instanceof DataView);
    assert.strictEqual(view.getUint8(0), 7);
  },
};

export const regExps = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const re = await ep.echo(/ab+c/gi);
    assert.ok(re instanceof RegExp);
    assert.strictEqual(re.source, "ab+c");
    assert.strictEqual(re.flags, "gi");
  },
};

export const errorValues = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const plain = await ep.echo(new Error("plain error"));
    assert.strictEqual(plain.constructor, Error);
    assert.strictEqual(plain.message, "plain error");
    assert.strictEqual(plain.remote, undefined);
    const typeError = await ep.echo(new TypeError("type error arg"));
    assert.strictEqual(typeError.constructor, TypeError);
    assert.strictEqual(typeError.message, "type error arg");
    const custom = await ep.echo(Object.assign(new RangeError("with custom prop"), { custom: 9 }));
    assert.strictEqual(custom.constructor, RangeError);
    assert.strictEqual(custom.custom, undefined);
    const renamed = await ep.echo(Object.assign(new Error("renamed"), { name: "MyError" }));
    assert.strictEqual(renamed.constructor, Error);
    assert.strictEqual(renamed.name, "Error");
    assert.strictEqual(renamed.message, "renamed");
    const aggregate = await ep.echo(new AggregateError([new Error("a")], "agg"));
    assert.strictEqual(aggregate.constructor, Error);
    assert.strictEqual(aggregate.message, "agg");
    assert.strictEqual(aggregate.errors, undefined);
    const dom = await ep.echo(new DOMException("dom arg", "AbortError"));
    assert.ok(dom instanceof DOMException);
    assert.strictEqual(dom.name, "AbortError");
    assert.strictEqual(dom.message, "dom arg");
    assert.strictEqual(dom.code, 20);
  },
};

export const errorCause = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    const outer = await ep.echo(new Error("outer", { cause: new Error("inner") }));
    assert.strictEqual(outer.message, "outer");
    assert.ok(outer.cause instanceof Error);
    assert.strictEqual(outer.cause.message, "inner");
  },
};

export const argumentCount = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    assert.strictEqual(await ep.argCount(), 0);
    assert.strictEqual(await ep.argCount(1, undefined, 3), 3);
  },
};

export const uncloneableArguments = {
  async test(ctrl, env) {
    const ep = echoWorker(env);
    class Point { constructor() { this.x = 1; } }
    const call = ep.echo(new Point());
    assert.ok(call instanceof Promise || typeof call.then === "function");
    await assert.rejects(call, (e) => {
      assert.ok(e instanceof DOMException);
      assert.strictEqual(e.name, "DataCloneError");
      assert.strictEqual(e.message, 'Could not serialize object of type "Point". This type does not support serialization.');
      return true;
    });
    await assert.rejects(ep.echo(Symbol("s")), { name: "DataCloneError", message: "Symbol(s) could not be cloned." });
  },
};

export const uncloneableResult = {
  async test(ctrl, env) {
    await assert.rejects(echoWorker(env).returnSymbol(), (e) => {
      assert.ok(e instanceof DOMException);
      assert.strictEqual(e.name, "DataCloneError");
      assert.strictEqual(e.message, "Symbol(x) could not be cloned.");
      assert.strictEqual(e.remote, true);
      return true;
    });
  },
};

// TODO: functions cannot cross workers as stubs until capabilities do.
export const functionArgument = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `
          import { WorkerEntrypoint } from "cloudflare:workers";
          export default class extends WorkerEntrypoint {
            async callIt(fn) { return await fn(21); }
            makeDoubler() { return (x) => x * 2; }
          }`,
      },
    }).getEntrypoint();
    assert.strictEqual(await ep.callIt((x) => x * 2), 42);
    const doubler = await ep.makeDoubler();
    assert.strictEqual(await doubler(4), 8);
  },
};

// TODO: RpcTarget instances cannot cross workers as stubs until capabilities do.
export const rpcTargetResult = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `
          import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
          class Counter extends RpcTarget {
            #n = 0;
            inc() { return ++this.#n; }
          }
          export default class extends WorkerEntrypoint {
            counter() { return new Counter(); }
          }`,
      },
    }).getEntrypoint();
    const counter = await ep.counter();
    assert.strictEqual(await counter.inc(), 1);
    assert.strictEqual(await counter.inc(), 2);
  },
};
