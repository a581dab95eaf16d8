// The parent worker of dynworker serve: it runs the worker code POSTed to
// it and returns that worker's response. The request body is the worker's
// main module, an ES module. With an X-Worker-Id header, the worker is
// kept under that ID and later requests with the same ID reuse it. Posted
// workers get no network access: their fetch() throws.
const usage = `POST an ES module to run it as a worker, for example:

  curl --data-binary 'export default { fetch() { return new Response("hello") } }' http://HOST/

Headers: X-Worker-Id keeps the worker loaded under that ID; a later POST with
the same ID reuses the loaded worker and ignores its body. Posted workers have
no network access.
`;

export default {
  async fetch(request, env) {
    if (request.method !== "POST") {
      return new Response(usage.replace("HOST", new URL(request.url).host), { status: 405 });
    }
    const source = await request.text();
    const code = () => ({
      compatibilityDate: "2025-06-01",
      mainModule: "worker.js",
      modules: { "worker.js": source },
      globalOutbound: null,
    });
    const id = request.headers.get("x-worker-id");
    let worker;
    try {
      worker = id ? env.LOADER.get(id, code) : env.LOADER.load(code());
    } catch (e) {
      return new Response(`invalid worker code: ${e.message}\n`, { status: 400 });
    }
    const forwarded = new Request(request.url, { method: "GET", headers: request.headers });
    try {
      return await worker.getEntrypoint().fetch(forwarded);
    } catch (e) {
      return new Response(`worker failed: ${e.name}: ${e.message}\n`, { status: 500 });
    }
  },
};
