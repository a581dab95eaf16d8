// Entrypoints of a dynamic worker: selecting them with getEntrypoint, fetch
// and RPC dispatch to classes and plain objects, props, env and ctx.
import assert from "node:assert";

const source = `
import { WorkerEntrypoint } from "cloudflare:workers";

export default class extends WorkerEntrypoint {
  constructor(ctx, env) {
    super(ctx, env);
    this.own = () => "own";
  }
  fetch(request) { return new Response("default " + new URL(request.url).pathname); }
  which() { return "default"; }
  props() { return this.ctx.props; }
  getEnv() { return this.env; }
  ctxShape() { return { waitUntil: typeof this.ctx.waitUntil, exports: typeof this.ctx.exports }; }
  get value() { return 7; }
}

export class Named extends WorkerEntrypoint {
  which() { return "Named"; }
  props() { return this.ctx.props; }
}

export class NoFetch extends WorkerEntrypoint {
  ping() { return "pong"; }
}

export const objectHandlers = {
  fetch(request, env, ctx) { return Response.json({ props: ctx.props, method: request.method }); },
  echo(arg, env, ctx) { return { arg, props: ctx.props }; },
};

export const fetchOnly = {
  fetch() { return new Response("fetch only"); },
};

export const scheduledOnly = {
  scheduled() {},
};

export const throwingFetch = {
  fetch() { throw new RangeError("fetch threw"); },
};

export const stringFetch = {
  fetch() { return "not a response"; },
};

export const asyncStringFetch = {
  async fetch() { return "not a response"; },
};
`;

function code(extra = {}) {
  return { compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": source }, ...extra };
}

export const defaultSelectors = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    for (const name of [undefined, null, "default"]) {
      const ep = stub.getEntrypoint(name);
      assert.strictEqual(await ep.which(), "default");
      assert.strictEqual(await (await ep.fetch("http://worker/path")).text(), "default /path");
    }
    assert.strictEqual(await stub.getEntrypoint().which(), "default");
  },
};

export const namedClass = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    assert.strictEqual(await stub.getEntrypoint("Named").which(), "Named");
  },
};

export const noSuchEntrypoint = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    const ep = stub.getEntrypoint("Nope");
    await assert.rejects(ep.fetch("http://worker/"), { name: "Error", message: "Worker has no such entrypoint: Nope" });
    await assert.rejects(ep.which(), { name: "Error", message: "Worker has no such entrypoint: Nope" });
    await assert.rejects(stub.getEntrypoint(5).which(), { name: "Error", message: "Worker has no such entrypoint: 5" });
  },
};

export const missingMethod = {
  async test(ctrl, env) {
    const ep = env.LOADER.load(code()).getEntrypoint();
    await assert.rejects(ep.noSuchMethod(), {
      name: "TypeError",
      message: 'The RPC receiver does not implement the method "noSuchMethod".',
      remote: true,
    });
    await assert.rejects(ep.own(), {
      name: "TypeError",
      message: 'The RPC receiver does not implement the method "own".',
      remote: true,
    });
  },
};

// TODO: reading a property over RPC needs a property-read call in the workerhost protocol; dynworker returns a method stub.
export const getterReadOverRpc = {
  async test(ctrl, env) {
    const ep = env.LOADER.load(code()).getEntrypoint();
    assert.strictEqual(await ep.value, 7);
  },
};

export const fetchWithoutHandler = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    for (const name of ["NoFetch", "scheduledOnly"]) {
      await assert.rejects(stub.getEntrypoint(name).fetch("http://worker/"), (e) => {
        assert.strictEqual(e.constructor, Error);
        assert.strictEqual(e.message, "Handler does not export a fetch() function.");
        assert.strictEqual(e.remote, true);
        return true;
      });
    }
  },
};

export const objectFetchOnly = {
  async test(ctrl, env) {
    const ep = env.LOADER.load(code()).getEntrypoint("fetchOnly");
    assert.strictEqual(await (await ep.fetch("http://worker/")).text(), "fetch only");
    await assert.rejects(ep.ping(), {
      name: "TypeError",
      message: 'The RPC receiver does not implement the method "ping".',
      remote: true,
    });
  },
};

export const objectRpcArgumentCount = {
  async test(ctrl, env) {
    const ep = env.LOADER.load(code()).getEntrypoint("objectHandlers");
    assert.deepStrictEqual(await ep.echo(5), { arg: 5, props: {} });
    for (const args of [[], [1, 2]]) {
      await assert.rejects(ep.echo(...args), {
        name: "TypeError",
        message: 'Attempted to call RPC function "echo" with the wrong number of arguments. When calling a top-level handler function that is not declared as part of a class, you must always send exactly one argument. In order to support variable numbers of arguments, the server must use class-based syntax (extending WorkerEntrypoint) instead.',
        remote: true,
      });
    }
  },
};

export const fetchHandlerThrows = {
  async test(ctrl, env) {
    const ep = env.LOADER.load(code()).getEntrypoint("throwingFetch");
    await assert.rejects(ep.fetch("http://worker/"), (e) => {
      assert.strictEqual(e.constructor, RangeError);
      assert.strictEqual(e.message, "fetch threw");
      assert.strictEqual(e.remote, true);
      return true;
    });
  },
};

export const fetchReturnsWrongType = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    await assert.rejects(stub.getEntrypoint("stringFetch").fetch("http://worker/"), {
      name: "TypeError",
      message: "Callback returned incorrect type; expected 'Promise'",
      remote: true,
    });
    await assert.rejects(stub.getEntrypoint("asyncStringFetch").fetch("http://worker/"), {
      name: "TypeError",
      message: "Incorrect type for Promise: the Promise did not resolve to 'Response'.",
      remote: true,
    });
  },
};

export const propsReachWorker = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    const props = { user: "ada", n: [1, 2] };
    assert.deepStrictEqual(await stub.getEntrypoint(null, { props }).props(), props);
    assert.deepStrictEqual(await stub.getEntrypoint("Named", { props }).props(), props);
    assert.deepStrictEqual(await stub.getEntrypoint("objectHandlers", { props }).echo(1), { arg: 1, props });
    const response = await stub.getEntrypoint("objectHandlers", { props }).fetch("http://worker/", { method: "POST" });
    assert.deepStrictEqual(await response.json(), { props, method: "POST" });
  },
};

export const propsDefaultEmpty = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code());
    assert.deepStrictEqual(await stub.getEntrypoint().props(), {});
    const response = await stub.getEntrypoint("objectHandlers").fetch("http://worker/");
    assert.deepStrictEqual(await response.json(), { props: {}, method: "GET" });
  },
};

export const propsChecked = {
  test(ctrl, env) {
    const stub = env.LOADER.load(code());
    assert.throws(() => stub.getEntrypoint("Named", { props: "a string" }), {
      name: "TypeError",
      message: "Incorrect type for the 'props' field on 'EntrypointOptions': the provided value is not of type 'Object'.",
    });
    assert.throws(() => stub.getEntrypoint("Named", { props: { f: (x) => x } }), {
      name: "DataCloneError",
      message: "(x) => x could not be cloned.",
    });
    // Unknown options are ignored.
    stub.getEntrypoint("Named", { nope: 1 });
  },
};

export const envReachesWorker = {
  async test(ctrl, env) {
    assert.deepStrictEqual(await env.LOADER.load(code()).getEntrypoint().getEnv(), {});
    const data = { NAME: "value", LIST: [1, { deep: true }] };
    assert.deepStrictEqual(await env.LOADER.load(code({ env: data })).getEntrypoint().getEnv(), data);
  },
};

export const ctxShape = {
  async test(ctrl, env) {
    // ctx.exports needs compatibility date 2025-11-17 or the enable_ctx_exports flag.
    const shape = await env.LOADER.load(code()).getEntrypoint().ctxShape();
    assert.deepStrictEqual(shape, { waitUntil: "function", exports: "undefined" });
  },
};

export const stubTags = {
  test(ctrl, env) {
    const stub = env.LOADER.load(code());
    assert.strictEqual(Object.prototype.toString.call(stub), "[object WorkerStub]");
    assert.strictEqual(Object.prototype.toString.call(stub.getEntrypoint()), "[object Fetcher]");
  },
};

export const workersModule = {
  async test(ctrl, env) {
    const stub = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `
          import * as workers from "cloudflare:workers";
          export default class extends workers.WorkerEntrypoint {
            kinds() {
              return ["WorkerEntrypoint", "DurableObject", "RpcTarget", "WorkflowEntrypoint"].map((k) => typeof workers[k]);
            }
            greeting() { return workers.env.GREETING; }
          }`,
      },
      env: { GREETING: "hi" },
    });
    assert.deepStrictEqual(await stub.getEntrypoint().kinds(), ["function", "function", "function", "function"]);
    assert.strictEqual(await stub.getEntrypoint().greeting(), "hi");
  },
};

export const moduleTypes = {
  async test(ctrl, env) {
    const stub = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `
          import { WorkerEntrypoint } from "cloudflare:workers";
          import text from "./note.txt";
          import data from "./blob.bin";
          import json from "./config.json";
          import badJson from "./bad.json";
          import cjs from "./lib.cjs";
          import other from "./other.txt";
          import nested from "./lib/a.js";
          import bare from "lib";
          export default class extends WorkerEntrypoint {
            all() {
              return {
                text,
                data: [Object.prototype.toString.call(data), Array.from(new Uint8Array(data))],
                json, badJson, cjs: cjs.answer, other, nested, bare,
              };
            }
          }`,
        "note.txt": { text: "a note" },
        "blob.bin": { data: new Uint8Array([1, 2, 3]) },
        "config.json": { json: { a: 1, b: [true] } },
        "bad.json": { json: "{bad" },
        "lib.cjs": { cjs: "module.exports = { answer: typeof require === 'function' ? 42 : 0 };" },
        "other.txt": { js: "export default 'js under a .txt name';" },
        "lib/a.js": "export { default } from './b.js';",
        "lib/b.js": "export default 'lib/b.js';",
        "lib": { js: "export default 'bare lib';" },
      },
    });
    assert.deepStrictEqual(await stub.getEntrypoint().all(), {
      text: "a note",
      data: ["[object ArrayBuffer]", [1, 2, 3]],
      json: { a: 1, b: [true] },
      badJson: "{bad",
      cjs: 42,
      other: "js under a .txt name",
      nested: "lib/b.js",
      bare: "bare lib",
    });
  },
};
