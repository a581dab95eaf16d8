// The parent worker of the benchmark. The same source runs under
// `dynworker run` and `workerd serve`; the Go program measures each path
// from outside over HTTP. The Go program prepends CHILD_SOURCE, the source of
// testdata/child.js, when it writes this module to disk.

function childCode() {
  return {
    compatibilityDate: "2025-06-01",
    mainModule: "child.js",
    modules: { "child.js": CHILD_SOURCE },
    globalOutbound: null,
  };
}

function number(params, name, fallback) {
  const value = params.get(name);
  return value === null ? fallback : Number(value);
}

function text(value) {
  return new Response(String(value), { headers: { "content-type": "text/plain" } });
}

// child returns the default entrypoint of the dynamic worker with id.
function child(env, id) {
  return env.LOADER.get(id, childCode).getEntrypoint();
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const params = url.searchParams;
    const id = params.get("id");
    const n = number(params, "n", 1);
    switch (url.pathname) {
      case "/noop":
        return text("ok");
      case "/load-call":
        // A new anonymous worker, then its first RPC reply.
        return text(await env.LOADER.load(childCode()).getEntrypoint().ping());
      case "/get-new":
        // The caller sends an ID it never used before.
        return text(await child(env, id).ping());
      case "/rpc": {
        const ep = child(env, id);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await ep.ping();
        return text(sum);
      }
      case "/fetch": {
        const ep = child(env, id);
        const size = number(params, "size", 0);
        let total = 0;
        for (let i = 0; i < n; i++) {
          const resp = await ep.fetch(`http://child/?size=${size}`);
          total += (await resp.arrayBuffer()).byteLength;
        }
        if (total !== size * n) return new Response(`got ${total} bytes, expected ${size * n}`, { status: 500 });
        return text(total);
      }
      case "/cpu":
        return text(await child(env, id).cpu(number(params, "size", 1000)));
    }
    return new Response("not found", { status: 404 });
  },
};
