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
  },
};
