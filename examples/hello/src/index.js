// The parent worker. Requests to /once run the dynamic worker with load(),
// which makes a fresh worker for one execution. Every other path uses get(),
// which keeps the worker warm under its ID across requests. The dynamic
// worker gets no network access.
const workerCode = {
  compatibilityDate: "2025-06-01",
  mainModule: "worker.js",
  modules: {
    "worker.js": `
export default {
  async fetch(request, env, ctx) {
    return new Response("Hello from a dynamic worker! You asked for " + new URL(request.url).pathname + "\\n");
  },
};
`,
  },
  globalOutbound: null,
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const worker = url.pathname === "/once"
      ? env.LOADER.load(workerCode)
      : env.LOADER.get("hello-worker", async () => workerCode);
    return worker.getEntrypoint().fetch(request);
  },
};
