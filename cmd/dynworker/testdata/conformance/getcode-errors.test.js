// How failures to produce or start a worker reach the caller: getCode
// failures, invalid WorkerCode and module top levels that throw. get()
// returns a stub at once, so these reject the first call on the stub, and
// load() rejects invalid code synchronously.
import assert from "node:assert";

const okSource = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  ping() { return "pong"; }
  fetch() { return new Response("ok"); }
}`;

function code(source = okSource, extra = {}) {
  return { compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": source }, ...extra };
}

// rejectsOnCall checks that both a fetch and an RPC call on the stub that
// get(id, getCode) returns reject with expected.
async function rejectsOnCall(env, id, getCode, expected) {
  const stub = env.LOADER.get(id, getCode);
  await assert.rejects(stub.getEntrypoint().fetch("http://worker/"), expected);
  await assert.rejects(stub.getEntrypoint().ping(), expected);
}

export const getCodeThrows = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "throws", () => { throw new Error("boom"); }, (e) => {
      assert.strictEqual(e.constructor, Error);
      assert.strictEqual(e.message, "boom");
      return true;
    });
  },
};

export const getCodeRejects = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "rejects", async () => { throw new Error("boom"); }, { name: "Error", message: "boom" });
  },
};

export const getCodeThrowsTypeError = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "type-error", () => { throw new TypeError("bad type"); }, (e) => {
      assert.strictEqual(e.constructor, TypeError);
      assert.strictEqual(e.message, "bad type");
      return true;
    });
  },
};

export const getCodeThrowsString = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "throws-string", () => { throw "just a string"; }, (e) => {
      assert.ok(e instanceof Error);
      assert.strictEqual(e.message, "just a string");
      return true;
    });
  },
};

export const getCodeReturnsUndefined = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "returns-undefined", () => undefined, {
      name: "TypeError",
      message: "Cannot initialize WorkerCode with required members from an undefined or null value.",
    });
  },
};

export const getCodeReturnsString = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "returns-string", () => "code", {
      name: "TypeError",
      message: "Callback returned incorrect type; expected 'Promise'",
    });
  },
};

export const getCodeResolvesString = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "resolves-string", async () => "code", {
      name: "TypeError",
      message: "Incorrect type for Promise: the Promise did not resolve to 'WorkerCode'.",
    });
  },
};

export const getCodeThrowsObject = {
  async test(ctrl, env) {
    await rejectsOnCall(env, "throws-object", () => { throw { code: 1 }; }, { name: "Error", message: "#<Object>" });
    await rejectsOnCall(env, "throws-number", () => { throw 42; }, { name: "Error", message: "42" });
  },
};

export const getNeedsFunction = {
  test(ctrl, env) {
    for (const args of [["not-a-function", "not a function"], ["no-callback"], [null]]) {
      assert.throws(() => env.LOADER.get(...args), {
        name: "TypeError",
        message: "Failed to execute 'get' on 'WorkerLoader': parameter 2 is not of type 'function'.",
      });
    }
  },
};

export const getNeedsArguments = {
  test(ctrl, env) {
    assert.throws(() => env.LOADER.get(), {
      name: "TypeError",
      message: "Failed to execute 'get' on 'WorkerLoader': parameter 1 is not of type 'string'.",
    });
  },
};

export const failureIsCached = {
  async test(ctrl, env) {
    const first = env.LOADER.get("fails-once", () => { throw new Error("boom 1"); });
    await assert.rejects(first.getEntrypoint().ping(), { message: "boom 1" });
    let ran = false;
    const second = env.LOADER.get("fails-once", () => { ran = true; return code(); });
    await assert.rejects(second.getEntrypoint().ping(), { message: "boom 1" });
    assert.strictEqual(ran, false);
  },
};

export const invalidCodeIsCached = {
  async test(ctrl, env) {
    const bad = { ...code() };
    delete bad.compatibilityDate;
    const first = env.LOADER.get("invalid-once", () => bad);
    await assert.rejects(first.getEntrypoint().ping(), { name: "Error", message: "Invalid compatibility date: undefined" });
    let ran = false;
    const second = env.LOADER.get("invalid-once", () => { ran = true; return code(); });
    await assert.rejects(second.getEntrypoint().ping(), { message: "Invalid compatibility date: undefined" });
    assert.strictEqual(ran, false);
  },
};

export const loadChecksCompatibilityDate = {
  test(ctrl, env) {
    const missing = code();
    delete missing.compatibilityDate;
    assert.throws(() => env.LOADER.load(missing), { name: "Error", message: "Invalid compatibility date: undefined" });
    for (const date of ["2025-6-1", "2025/06/01", "yesterday", "", 20250601, null]) {
      assert.throws(() => env.LOADER.load(code(okSource, { compatibilityDate: date })), {
        name: "Error",
        message: `Invalid compatibility date: ${date}`,
      });
    }
  },
};

export const loadChecksFutureDate = {
  test(ctrl, env) {
    // The newest supported date depends on the build: workerd@1.20261123.1
    // names 2026-11-30.
    assert.throws(() => env.LOADER.load(code(okSource, { compatibilityDate: "2099-01-01" })), {
      name: "Error",
      message: /^This Worker requires compatibility date "2099-01-01", but the newest date supported by this server binary is "\d{4}-\d{2}-\d{2}"\.$/,
    });
  },
};

export const loadAcceptsOddDates = {
  async test(ctrl, env) {
    for (const date of ["2025-02-30", "2000-01-01", "2026-11-30"]) {
      const stub = env.LOADER.load(code(okSource, { compatibilityDate: date }));
      assert.strictEqual(await stub.getEntrypoint().ping(), "pong");
    }
  },
};

// TODO: loader.Validate does not check compatibility flag names or experimental flags.
export const loadChecksFlags = {
  test(ctrl, env) {
    assert.throws(() => env.LOADER.load(code(okSource, { compatibilityFlags: ["no_such_flag"] })), {
      name: "Error",
      message: "No such compatibility flag: no_such_flag",
    });
    assert.throws(() => env.LOADER.load(code(okSource, { compatibilityFlags: ["experimental"] })), {
      name: "Error",
      message: "The compatibility flag experimental is experimental and may break or be removed in a future version of workerd. To use this flag, you must pass --experimental on the command line.",
    });
  },
};

// TODO: loader.Validate does not reject allowExperimental from a parent without the experimental flag.
export const loadChecksAllowExperimental = {
  test(ctrl, env) {
    assert.throws(() => env.LOADER.load(code(okSource, { allowExperimental: true })), {
      name: "Error",
      message: "'allowExperimental' is only allowed when the calling worker has the 'experimental' compat flag set.",
    });
  },
};

export const loadChecksModules = {
  test(ctrl, env) {
    assert.throws(() => env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js" }), {
      name: "TypeError",
      message: "Incorrect type for the 'modules' field on 'WorkerCode': the provided value is not of type 'object'.",
    });
    assert.throws(() => env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js", modules: {} }), {
      name: "TypeError",
      message: "Dynamic Worker code must contain at least one module.",
    });
    assert.throws(() => env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": {} } }), {
      name: "TypeError",
      message: "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module 'main.js' contained 0 properties.",
    });
    assert.throws(() => env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": { js: okSource, text: "x" } } }), {
      name: "TypeError",
      message: "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module 'main.js' contained 2 properties.",
    });
    for (const name of ["main.mjs", "main.cjs", "main", "data.txt"]) {
      assert.throws(() => env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: name, modules: { [name]: okSource } }), {
        name: "TypeError",
        message: new RegExp(`^Module name must end with '\\.js'.*Got: ${name.replace(".", "\\.")}`),
      });
    }
  },
};

export const loadChecksTypes = {
  test(ctrl, env) {
    for (const args of [[], ["x"], [5]]) {
      assert.throws(() => env.LOADER.load(...args), {
        name: "TypeError",
        message: "Failed to execute 'load' on 'WorkerLoader': parameter 1 is not of type 'WorkerCode'.",
      });
    }
    for (const value of [undefined, null]) {
      assert.throws(() => env.LOADER.load(value), {
        name: "TypeError",
        message: "Cannot initialize WorkerCode with required members from an undefined or null value.",
      });
    }
    assert.throws(() => env.LOADER.load([]), {
      name: "TypeError",
      message: "Incorrect type for the 'modules' field on 'WorkerCode': the provided value is not of type 'object'.",
    });
    assert.throws(() => env.LOADER.load(code(okSource, { compatibilityFlags: "nodejs_compat" })), {
      name: "TypeError",
      message: "Incorrect type for the 'compatibilityFlags' field on 'WorkerCode': the provided value is not of type 'Array'.",
    });
    assert.throws(() => env.LOADER.load(code(okSource, { globalOutbound: "a string" })), {
      name: "TypeError",
      message: "Incorrect type for the 'globalOutbound' field on 'WorkerCode': the provided value is not of type 'Fetcher'.",
    });
    assert.throws(() => env.LOADER.load(code(okSource, { limits: 5 })), {
      name: "TypeError",
      message: "Incorrect type for the 'limits' field on 'WorkerCode': the provided value is not of type 'ResourceLimits'.",
    });
  },
};

export const loadChecksEnv = {
  test(ctrl, env) {
    assert.throws(() => env.LOADER.load(code(okSource, { env: { f: (x) => x } })), (e) => {
      assert.ok(e instanceof DOMException);
      assert.strictEqual(e.name, "DataCloneError");
      assert.strictEqual(e.message, "(x) => x could not be cloned.");
      return true;
    });
    assert.throws(() => env.LOADER.load(code(okSource, { env: { loader: env.LOADER } })), {
      name: "DataCloneError",
      message: 'Could not serialize object of type "WorkerLoader". This type does not support serialization.',
    });
  },
};

export const missingMainModule = {
  async test(ctrl, env) {
    const noMain = code();
    delete noMain.mainModule;
    await assert.rejects(env.LOADER.load(noMain).getEntrypoint().ping(), {
      name: "Error",
      message: "Failed to start Worker:\nUncaught Error: No such module: undefined",
    });
    await assert.rejects(env.LOADER.load(code(okSource, { mainModule: "index.js" })).getEntrypoint().ping(), {
      name: "Error",
      message: "Failed to start Worker:\nUncaught Error: No such module: index.js",
    });
  },
};

export const topLevelThrows = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`throw new Error("top");`));
    await assert.rejects(stub.getEntrypoint().ping(), (e) => {
      assert.strictEqual(e.constructor, Error);
      // workerd adds the throw's location on a further line, "  at main.js:1:7".
      assert.match(e.message, /^Failed to start Worker:\nUncaught Error: top(\n|$)/);
      return true;
    });
  },
};

export const topLevelThrowsTypeError = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`throw new TypeError("top type");`));
    await assert.rejects(stub.getEntrypoint().fetch("http://worker/"), (e) => {
      assert.strictEqual(e.constructor, Error);
      assert.match(e.message, /^Failed to start Worker:\nUncaught TypeError: top type(\n|$)/);
      return true;
    });
  },
};

export const startFailureIsCached = {
  async test(ctrl, env) {
    const first = env.LOADER.get("top-throws", () => code(`throw new Error("top");`));
    await assert.rejects(first.getEntrypoint().ping(), { message: /^Failed to start Worker:\nUncaught Error: top/ });
    let ran = false;
    const second = env.LOADER.get("top-throws", () => { ran = true; return code(); });
    await assert.rejects(second.getEntrypoint().ping(), { message: /^Failed to start Worker:\nUncaught Error: top/ });
    assert.strictEqual(ran, false);
  },
};

export const syntaxError = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`export default { fetch( { };`));
    await assert.rejects(stub.getEntrypoint().ping(), (e) => {
      assert.strictEqual(e.constructor, Error);
      assert.ok(e.message.startsWith("Failed to start Worker:\nUncaught SyntaxError: "), e.message);
      return true;
    });
  },
};

export const missingImport = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`import x from "./nope.js"; export default {};`));
    await assert.rejects(stub.getEntrypoint().ping(), {
      name: "Error",
      message: 'Failed to start Worker:\nUncaught Error: No such module "nope.js".\n  imported from "main.js"',
    });
  },
};

export const exportOfWrongType = {
  async test(ctrl, env) {
    const stub = env.LOADER.load(code(`export const version = "1.0"; export default { fetch() { return new Response("x"); } };`));
    await assert.rejects(stub.getEntrypoint().fetch("http://worker/"), {
      name: "Error",
      message: "Failed to start Worker:\nUncaught TypeError: Incorrect type for map entry 'version': the provided value is not of type 'function or ExportedHandler'.",
    });
  },
};
