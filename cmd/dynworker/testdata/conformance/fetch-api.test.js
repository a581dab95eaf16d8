// Headers, Request and Response in the parent worker, and requests and
// responses that cross to a dynamic worker's fetch handler and back.
import assert from "node:assert";

export const headersBasics = {
  test() {
    const h = new Headers({ "Content-Type": "text/plain", "X-B": "1" });
    assert.strictEqual(h.get("content-type"), "text/plain");
    assert.strictEqual(h.has("X-b"), true);
    h.append("x-b", "2");
    assert.strictEqual(h.get("X-B"), "1, 2");
    h.set("X-A", "  padded  ");
    assert.strictEqual(h.get("x-a"), "padded");
    h.delete("content-type");
    assert.strictEqual(h.get("content-type"), null);
    assert.deepStrictEqual([...h], [["x-a", "padded"], ["x-b", "1, 2"]]);
    assert.deepStrictEqual([...h.keys()], ["x-a", "x-b"]);
  },
};

export const headersSetCookie = {
  test() {
    const h = new Headers();
    h.append("Set-Cookie", "a=1");
    h.append("Set-Cookie", "b=2");
    assert.deepStrictEqual(h.getSetCookie(), ["a=1", "b=2"]);
    assert.deepStrictEqual([...h], [["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
  },
};

export const headersInvalid = {
  test() {
    assert.throws(() => new Headers({ "bad name": "x" }), TypeError);
    assert.throws(() => new Headers().set("x", "a\nb"), TypeError);
    assert.throws(() => new Headers([["only-one"]]), TypeError);
  },
};

export const requestBasics = {
  async test() {
    const r = new Request("https://example.com/a/../b?q=1#frag", {
      method: "post",
      headers: { "X-Test": "yes" },
      body: "payload",
    });
    assert.strictEqual(r.url, "https://example.com/b?q=1#frag");
    assert.strictEqual(r.method, "POST");
    assert.strictEqual(r.headers.get("x-test"), "yes");
    assert.strictEqual(r.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.strictEqual(r.bodyUsed, false);
    const copy = r.clone();
    assert.strictEqual(await r.text(), "payload");
    assert.strictEqual(r.bodyUsed, true);
    assert.strictEqual(await copy.text(), "payload");
    await assert.rejects(r.text(), TypeError);
  },
};

export const requestChecks = {
  test() {
    assert.throws(() => new Request("not a url"), TypeError);
    assert.throws(() => new Request("https://example.com/", { method: "GET", body: "x" }), TypeError);
    assert.strictEqual(new Request("https://example.com/").method, "GET");
    // workerd upper-cases every known method name, where the Fetch standard
    // upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT.
    assert.strictEqual(new Request("https://example.com/", { method: "patch" }).method, "PATCH");
  },
};

export const responseBasics = {
  async test() {
    const r = new Response("hello", { status: 201, statusText: "Made", headers: { "X-A": "1" } });
    assert.strictEqual(r.status, 201);
    assert.strictEqual(r.statusText, "Made");
    assert.strictEqual(r.ok, true);
    assert.strictEqual(r.headers.get("x-a"), "1");
    assert.strictEqual(r.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.strictEqual(await r.text(), "hello");
    const empty = new Response();
    assert.strictEqual(empty.status, 200);
    assert.strictEqual(empty.statusText, "");
    assert.strictEqual(empty.body, null);
    assert.strictEqual(await empty.text(), "");
    assert.strictEqual(new Response(null, { status: 404 }).ok, false);
  },
};

export const responseBodies = {
  async test() {
    assert.deepStrictEqual(await new Response('{"a":[1]}').json(), { a: [1] });
    const buffer = await new Response(new Uint8Array([1, 2, 3])).arrayBuffer();
    assert.deepStrictEqual([...new Uint8Array(buffer)], [1, 2, 3]);
    const params = new Response(new URLSearchParams({ a: "1 2" }));
    assert.strictEqual(params.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
    assert.strictEqual(await params.text(), "a=1+2");
    await assert.rejects(new Response("{bad").json(), SyntaxError);
  },
};

export const responseStatics = {
  async test() {
    const json = Response.json({ a: 1 }, { status: 202 });
    assert.strictEqual(json.status, 202);
    assert.strictEqual(json.headers.get("content-type"), "application/json");
    assert.deepStrictEqual(await json.json(), { a: 1 });
    const redirect = Response.redirect("https://example.com/next", 301);
    assert.strictEqual(redirect.status, 301);
    assert.strictEqual(redirect.headers.get("location"), "https://example.com/next");
    assert.throws(() => Response.redirect("https://example.com/", 200), RangeError);
  },
};

export const responseChecks = {
  test() {
    assert.throws(() => new Response("x", { status: 99 }), RangeError);
    assert.throws(() => new Response("x", { status: 1000 }), RangeError);
    assert.throws(() => new Response("x", { status: 204 }), TypeError);
  },
};

const echoSource = `
export default {
  async fetch(request) {
    const body = request.body === null ? null : await request.text();
    return Response.json({
      method: request.method,
      url: request.url,
      header: request.headers.get("x-in"),
      body,
    }, { status: 203, headers: { "X-Out": "out" } });
  },
};`;

export const fetchCrossesWorkers = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": echoSource } }).getEntrypoint();
    const response = await ep.fetch("https://example.com/path?q=1", { method: "PUT", headers: { "X-In": "in" }, body: "sent" });
    assert.ok(response instanceof Response);
    assert.strictEqual(response.status, 203);
    assert.strictEqual(response.headers.get("x-out"), "out");
    assert.deepStrictEqual(await response.json(), { method: "PUT", url: "https://example.com/path?q=1", header: "in", body: "sent" });
    const get = await ep.fetch(new Request("https://example.com/"));
    assert.deepStrictEqual(await get.json(), { method: "GET", url: "https://example.com/", header: null, body: null });
  },
};

export const fetchStreamsLargeBody = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: { "main.js": "export default { async fetch(r) { return new Response((await r.text()).toUpperCase()); } };" },
    }).getEntrypoint();
    const big = "abc".repeat(100000);
    const response = await ep.fetch("https://example.com/", { method: "POST", body: big });
    const text = await response.text();
    assert.strictEqual(text.length, big.length);
    assert.strictEqual(text, big.toUpperCase());
  },
};

export const statusTextAcrossWorkers = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `export default {
          fetch(request) {
            const custom = new URL(request.url).pathname === "/custom";
            return new Response("x", custom ? { status: 404, statusText: "Custom" } : { status: 404 });
          },
        };`,
      },
    }).getEntrypoint();
    // A response built without statusText has "" in its own worker but
    // arrives with the default text for its status.
    assert.strictEqual((await ep.fetch("https://example.com/default")).statusText, "Not Found");
    assert.strictEqual((await ep.fetch("https://example.com/custom")).statusText, "Custom");
  },
};
