// Worker Loader caching: which calls of LOADER.get and LOADER.load run
// getCode and which share a worker. Each worker counts its RPC calls, so a
// shared worker returns 1, then 2.
import assert from "node:assert";

const counterSource = `
import { WorkerEntrypoint } from "cloudflare:workers";
let count = 0;
export default class extends WorkerEntrypoint {
  next() { return ++count; }
  tag() { return "first"; }
}`;

function counterCode(source = counterSource) {
  return {
    compatibilityDate: "2025-06-01",
    mainModule: "main.js",
    modules: { "main.js": source },
  };
}

// countingGetCode returns a getCode callback and the record of its calls.
function countingGetCode(source) {
  const record = { calls: 0, argCounts: [] };
  const getCode = function (...args) {
    record.calls++;
    record.argCounts.push(args.length);
    return counterCode(source);
  };
  return { getCode, record };
}

export const loaderShape = {
  test(ctrl, env) {
    assert.strictEqual(Object.prototype.toString.call(env.LOADER), "[object WorkerLoader]");
    assert.strictEqual(typeof env.LOADER.get, "function");
    assert.strictEqual(typeof env.LOADER.load, "function");
    const stub = env.LOADER.get("shape", () => counterCode());
    assert.strictEqual(typeof stub.getEntrypoint, "function");
    assert.strictEqual(typeof stub.getDurableObjectClass, "function");
  },
};

export const getCodeRunsOncePerId = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    assert.strictEqual(await env.LOADER.get("once", getCode).getEntrypoint().next(), 1);
    assert.strictEqual(await env.LOADER.get("once", getCode).getEntrypoint().next(), 2);
    assert.strictEqual(record.calls, 1);
  },
};

export const laterGetCodeIgnored = {
  async test(ctrl, env) {
    const first = env.LOADER.get("first-code-wins", () => counterCode());
    assert.strictEqual(await first.getEntrypoint().tag(), "first");
    const second = countingGetCode(counterSource.replace('"first"', '"second"'));
    assert.strictEqual(await env.LOADER.get("first-code-wins", second.getCode).getEntrypoint().tag(), "first");
    assert.strictEqual(second.record.calls, 0);
  },
};

export const concurrentGetsShareWorker = {
  async test(ctrl, env) {
    let calls = 0;
    const getCode = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return counterCode();
    };
    const stubs = [1, 2, 3, 4, 5].map(() => env.LOADER.get("racing", getCode));
    const counts = await Promise.all(stubs.map((s) => s.getEntrypoint().next()));
    assert.deepStrictEqual(counts.sort(), [1, 2, 3, 4, 5]);
    assert.strictEqual(calls, 1);
  },
};

export const nullIdMakesNewWorker = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    assert.strictEqual(await env.LOADER.get(null, getCode).getEntrypoint().next(), 1);
    assert.strictEqual(await env.LOADER.get(null, getCode).getEntrypoint().next(), 1);
    assert.strictEqual(record.calls, 2);
  },
};

export const undefinedIdMakesNewWorker = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    assert.strictEqual(await env.LOADER.get(undefined, getCode).getEntrypoint().next(), 1);
    assert.strictEqual(await env.LOADER.get(undefined, getCode).getEntrypoint().next(), 1);
    assert.strictEqual(record.calls, 2);
  },
};

export const anonymousStubReused = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    const stub = env.LOADER.get(null, getCode);
    assert.strictEqual(await stub.getEntrypoint().next(), 1);
    assert.strictEqual(await stub.getEntrypoint().next(), 2);
    assert.strictEqual(record.calls, 1);
  },
};

export const emptyStringIsId = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    assert.strictEqual(await env.LOADER.get("", getCode).getEntrypoint().next(), 1);
    assert.strictEqual(await env.LOADER.get("", getCode).getEntrypoint().next(), 2);
    assert.strictEqual(record.calls, 1);
  },
};

export const numberIdIsString = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    assert.strictEqual(await env.LOADER.get(4242, getCode).getEntrypoint().next(), 1);
    assert.strictEqual(await env.LOADER.get("4242", getCode).getEntrypoint().next(), 2);
    assert.strictEqual(record.calls, 1);
  },
};

export const loadMakesNewWorker = {
  async test(ctrl, env) {
    assert.strictEqual(await env.LOADER.load(counterCode()).getEntrypoint().next(), 1);
    assert.strictEqual(await env.LOADER.load(counterCode()).getEntrypoint().next(), 1);
    const stub = env.LOADER.load(counterCode());
    assert.strictEqual(await stub.getEntrypoint().next(), 1);
    assert.strictEqual(await stub.getEntrypoint().next(), 2);
  },
};

export const getCodeRunsLater = {
  async test(ctrl, env) {
    const { getCode, record } = countingGetCode();
    env.LOADER.get("runs-later", getCode);
    assert.strictEqual(record.calls, 0);
    await Promise.resolve();
    assert.strictEqual(record.calls, 0);
    // No call is made on the stub, yet getCode still runs.
    for (let i = 0; i < 100 && record.calls === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.strictEqual(record.calls, 1);
    assert.deepStrictEqual(record.argCounts, [0]);
  },
};
