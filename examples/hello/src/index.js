// The parent worker: each request loads (or reuses) a dynamic worker whose
// code is defined below, with no network access, and returns its response.
const workerCode = `
export default {
  async fetch(request, env, ctx) {
    return new Response("Hello from a dynamic worker! You asked for " + new URL(request.url).pathname + "\\n");
  },
};
`;

export default {
  async fetch(request, env, ctx) {
    const worker = env.LOADER.get("hello-worker", async () => ({
      compatibilityDate: "2025-06-01",
      mainModule: "worker.js",
      modules: { "worker.js": workerCode },
      globalOutbound: null,
    }));
    return worker.getEntrypoint().fetch(request);
  },
};
