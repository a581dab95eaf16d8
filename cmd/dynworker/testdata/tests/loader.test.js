import assert from "node:assert";

const code = (source) => () => ({
  compatibilityDate: "2025-06-01",
  mainModule: "main.js",
  modules: { "main.js": source },
});

export const rpcCall = {
  async test(ctrl, env) {
    const stub = env.LOADER.get("adder", code(`
      import { WorkerEntrypoint } from "cloudflare:workers";
      export default class extends WorkerEntrypoint {
        add(a, b) { return a + b; }
      }`));
    assert.strictEqual(await stub.getEntrypoint().add(2, 3), 5);
  },
};

export const fetchCall = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`export default { fetch(req) { return Response.json({ path: new URL(req.url).pathname }); } };`)());
    const resp = await stub.getEntrypoint().fetch("http://example/hello");
    assert.deepStrictEqual(await resp.json(), { path: "/hello" });
  },
};

export const propsReachWorker = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`
      import { WorkerEntrypoint } from "cloudflare:workers";
      export default class extends WorkerEntrypoint {
        who() { return this.ctx.props.user; }
      }`)());
    assert.strictEqual(await stub.getEntrypoint(null, { props: { user: "ada" } }).who(), "ada");
  },
};

export const rejectsAssertion = {
  async test() {
    await assert.rejects(Promise.reject(new TypeError("x")), TypeError);
    assert.throws(() => { throw new Error("y"); }, /y/);
    assert.match("abc", /b/);
    assert.notStrictEqual(1, 2);
    assert.ok(true);
    assert.equal(1, 1);
    assert.deepStrictEqual({ a: [1] }, { a: [1] });
    assert.throws(() => assert.fail("stop here"), { name: "AssertionError", message: "stop here", code: "ERR_ASSERTION" });
  },
};

const entrypoints = code(`
import { WorkerEntrypoint } from "cloudflare:workers";
export const api = {
  fetch(req, env, ctx) { return new Response("api " + JSON.stringify(ctx.props)); },
  echo(arg, env, ctx) { return { arg, props: ctx.props }; },
};
export class Admin extends WorkerEntrypoint {
  whoami() { return "admin " + this.ctx.props.role; }
  fail() { throw new RangeError("out of range"); }
}
export default { fetch() { return new Response("default"); } };
`);

export const namedEntrypoints = {
  async test(ctrl, env) {
    const stub = env.LOADER.get("entrypoints", entrypoints);
    assert.strictEqual(await (await stub.getEntrypoint("api").fetch("http://x/")).text(), "api {}");
    assert.strictEqual(await (await stub.getEntrypoint("default").fetch("http://x/")).text(), "default");
    assert.strictEqual(await stub.getEntrypoint("Admin", { props: { role: "root" } }).whoami(), "admin root");
    assert.deepStrictEqual(await stub.getEntrypoint("api", { props: { a: 1 } }).echo(7), { arg: 7, props: { a: 1 } });
  },
};

export const rpcErrors = {
  async test(ctrl, env) {
    const stub = env.LOADER.get("entrypoints", entrypoints);
    await assert.rejects(stub.getEntrypoint("Admin").fail(), { name: "RangeError", message: "out of range", remote: true });
    await assert.rejects(stub.getEntrypoint("api").echo(), {
      name: "TypeError",
      message: /^Attempted to call RPC function "echo" with the wrong number of arguments/,
    });
  },
};

export const rpcValues = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`
      import { WorkerEntrypoint } from "cloudflare:workers";
      export default class extends WorkerEntrypoint { echo(v) { return v; } }`)());
    const value = {
      n: 1.5, s: "text", b: true, nil: null, u: undefined, big: 12345678901234567890n,
      date: new Date(1700000000000), bytes: new Uint8Array([1, 2, 3]),
      map: new Map([["k", [1, 2]]]), set: new Set(["a"]), nested: { deep: [{ x: 1 }] },
      err: new TypeError("carried"),
    };
    const back = await stub.getEntrypoint().echo(value);
    assert.strictEqual(back.n, 1.5);
    assert.strictEqual(back.big, 12345678901234567890n);
    assert.ok("u" in back);
    assert.strictEqual(back.u, undefined);
    assert.strictEqual(back.date.getTime(), 1700000000000);
    assert.deepStrictEqual(Array.from(back.bytes), [1, 2, 3]);
    assert.deepStrictEqual(back.map.get("k"), [1, 2]);
    assert.ok(back.set.has("a"));
    assert.deepStrictEqual(back.nested, { deep: [{ x: 1 }] });
    assert.ok(back.err instanceof TypeError);
    assert.strictEqual(back.err.message, "carried");
    await assert.rejects(stub.getEntrypoint().echo(() => 1), { name: "DataCloneError" });
  },
};

export const typeScriptModule = {
  async test(ctrl, env) {
    const stub = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.ts",
      modules: {
        "main.ts": `
          import { WorkerEntrypoint } from "cloudflare:workers";
          interface Pair { a: number; b: number }
          export default class extends WorkerEntrypoint { sum(p: Pair): number { return p.a + p.b; } }`,
      },
    });
    assert.strictEqual(await stub.getEntrypoint().sum({ a: 2, b: 40 }), 42);
  },
};

export const unknownCodeKey = {
  test(ctrl, env) {
    assert.throws(
      () => env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "a.js", modules: { "a.js": "" }, envv: {} }),
      { name: "TypeError", message: /WorkerCode has an unknown key "envv"/ },
    );
  },
};

export const customErrorName = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`
      import { WorkerEntrypoint } from "cloudflare:workers";
      class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } }
      export default class extends WorkerEntrypoint { fail() { throw new MyError("mine"); } }`)());
    await assert.rejects(stub.getEntrypoint().fail(), (e) => {
      assert.strictEqual(e.constructor, Error);
      assert.strictEqual(e.message, "MyError: mine");
      return true;
    });
  },
};
