// Timers and the order of microtasks and macrotasks, in the parent worker
// and inside a dynamic worker.
import assert from "node:assert";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const microtasksBeforeTimers = {
  async test() {
    const order = [];
    setTimeout(() => order.push("timeout"), 0);
    Promise.resolve().then(() => order.push("promise"));
    queueMicrotask(() => order.push("microtask"));
    order.push("sync");
    await sleep(20);
    assert.deepStrictEqual(order, ["sync", "promise", "microtask", "timeout"]);
  },
};

export const timersByDelay = {
  async test() {
    const order = [];
    setTimeout(() => order.push(30), 30);
    setTimeout(() => order.push(10), 10);
    setTimeout(() => order.push("0a"), 0);
    setTimeout(() => order.push("0b"), 0);
    await sleep(60);
    assert.deepStrictEqual(order, ["0a", "0b", 10, 30]);
  },
};

export const timerArguments = {
  async test() {
    const got = await new Promise((resolve) => setTimeout((a, b) => resolve([a, b]), 1, "x", 2));
    assert.deepStrictEqual(got, ["x", 2]);
  },
};

export const clearTimeoutCancels = {
  async test() {
    let fired = false;
    const id = setTimeout(() => { fired = true; }, 5);
    clearTimeout(id);
    clearTimeout(id);
    clearTimeout(undefined);
    await sleep(20);
    assert.strictEqual(fired, false);
  },
};

export const intervalRepeats = {
  async test() {
    let n = 0;
    await new Promise((resolve) => {
      const id = setInterval(() => {
        n++;
        if (n === 3) {
          clearInterval(id);
          resolve();
        }
      }, 2);
    });
    await sleep(20);
    assert.strictEqual(n, 3);
  },
};

export const nestedMicrotaskOrder = {
  async test() {
    const order = [];
    Promise.resolve().then(() => {
      order.push(1);
      Promise.resolve().then(() => order.push(3));
    });
    Promise.resolve().then(() => order.push(2));
    await sleep(0);
    assert.deepStrictEqual(order, [1, 2, 3]);
  },
};

export const asyncAwaitOrder = {
  async test() {
    const order = [];
    async function a() {
      order.push("a1");
      await null;
      order.push("a2");
    }
    const p = a();
    order.push("after call");
    await p;
    assert.deepStrictEqual(order, ["a1", "after call", "a2"]);
  },
};

export const timersInDynamicWorker = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `
          import { WorkerEntrypoint } from "cloudflare:workers";
          export default class extends WorkerEntrypoint {
            async order() {
              const order = [];
              setTimeout(() => order.push("timeout"), 0);
              Promise.resolve().then(() => order.push("promise"));
              queueMicrotask(() => order.push("microtask"));
              order.push("sync");
              await new Promise((resolve) => setTimeout(resolve, 10));
              return order;
            }
          }`,
      },
    }).getEntrypoint();
    assert.deepStrictEqual(await ep.order(), ["sync", "promise", "microtask", "timeout"]);
  },
};

export const timerIdsAreNumbers = {
  test() {
    const id = setTimeout(() => {}, 1000);
    clearTimeout(id);
    assert.strictEqual(typeof id, "number");
    const interval = setInterval(() => {}, 1000);
    clearInterval(interval);
    assert.strictEqual(typeof interval, "number");
  },
};
