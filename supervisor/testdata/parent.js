// A parent worker that exercises env.LOADER for the integration tests. Each
// path is one scenario; the response is JSON.
let codeCalls = 0;

const counterSource = `
import { WorkerEntrypoint } from "cloudflare:workers";
let count = 0;
export default class extends WorkerEntrypoint {
  increment() { count += 1; return count; }
}
`;

function counterCode() {
  codeCalls += 1;
  return {
    compatibilityDate: "2025-06-01",
    mainModule: "counter.js",
    modules: { "counter.js": counterSource },
  };
}

const hostileSource = `
import { WorkerEntrypoint } from "cloudflare:workers";
let count = 0;
function f(n) { return f(n + 1) + 1; }
export default class extends WorkerEntrypoint {
  count() { count += 1; return count; }
  async recurse() { await null; return f(0); }
}
`;

function hostileCode() {
  return {
    compatibilityDate: "2025-06-01",
    mainModule: "hostile.js",
    modules: { "hostile.js": hostileSource },
  };
}

function slowCounterCode() {
  return new Promise((resolve) => setTimeout(() => resolve(counterCode()), 200));
}

const streamerSource = `
let release;
const released = new Promise((resolve) => { release = resolve; });
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/release") {
      release();
      return new Response("released");
    }
    const encoder = new TextEncoder();
    const body = new ReadableStream({
      async start(controller) {
        controller.enqueue(encoder.encode("first\\n"));
        await released;
        controller.enqueue(encoder.encode("second\\n"));
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  },
};
`;

const failures = {
  throws: () => { throw new Error("boom"); },
  rejects: async () => { throw new TypeError("bad type"); },
  invalidDate: () => ({ compatibilityDate: "2025-6-1", mainModule: "a.js", modules: { "a.js": "" } }),
  noModules: () => ({ compatibilityDate: "2025-06-01", mainModule: "a.js", modules: {} }),
  missingMain: () => ({ compatibilityDate: "2025-06-01", mainModule: "index.js", modules: { "a.js": "" } }),
  topLevelThrows: () => ({
    compatibilityDate: "2025-06-01",
    mainModule: "a.js",
    modules: { "a.js": "throw new Error('top'); export default {};" },
  }),
  syntaxError: () => ({
    compatibilityDate: "2025-06-01",
    mainModule: "a.js",
    modules: { "a.js": "export default { fetch( { };" },
  }),
  missingImport: () => ({
    compatibilityDate: "2025-06-01",
    mainModule: "a.js",
    modules: { "a.js": "import x from './nope.js'; export default {};" },
  }),
};

async function describeFailure(promise) {
  try {
    await promise;
    return { ok: true };
  } catch (e) {
    return { name: e.name, message: e.message };
  }
}

function json(value) {
  return new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const id = url.searchParams.get("id");
    switch (url.pathname) {
      case "/hostile": {
        const ep = env.LOADER.get("hostile", hostileCode).getEntrypoint();
        try {
          return json({ value: await ep[url.searchParams.get("op")]() });
        } catch (e) {
          return json({ name: e.name, message: e.message });
        }
      }
      case "/counter": {
        const value = await env.LOADER.get(id, counterCode).getEntrypoint().increment();
        return json({ value, codeCalls });
      }
      case "/anonymous": {
        const a = await env.LOADER.load(counterCode()).getEntrypoint().increment();
        const b = await env.LOADER.get(null, counterCode).getEntrypoint().increment();
        const c = await env.LOADER.get(undefined, counterCode).getEntrypoint().increment();
        return json({ values: [a, b, c] });
      }
      case "/race": {
        const before = codeCalls;
        const stubs = [env.LOADER.get(id, slowCounterCode), env.LOADER.get(id, slowCounterCode)];
        const values = await Promise.all(stubs.map((s) => s.getEntrypoint().increment()));
        return json({ values: values.sort(), codeCalls: codeCalls - before });
      }
      case "/fail": {
        const getCode = failures[url.searchParams.get("case")];
        const stub = env.LOADER.get(id, getCode);
        const rpc = await describeFailure(stub.getEntrypoint().increment());
        const fetched = await describeFailure(stub.getEntrypoint().fetch("http://worker/"));
        return json({ rpc, fetch: fetched });
      }
      case "/no-entrypoint": {
        const stub = env.LOADER.get("counter-for-entrypoint", counterCode);
        return json(await describeFailure(stub.getEntrypoint("Nope").increment()));
      }
      case "/no-method": {
        const stub = env.LOADER.get("counter-for-method", counterCode);
        return json(await describeFailure(stub.getEntrypoint().decrement()));
      }
      case "/load-invalid": {
        try {
          env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "a.js", modules: {} });
          return json({ ok: true });
        } catch (e) {
          return json({ name: e.name, message: e.message });
        }
      }
      case "/stream":
      case "/release": {
        const code = () => ({
          compatibilityDate: "2025-06-01",
          mainModule: "streamer.js",
          modules: { "streamer.js": streamerSource },
        });
        return env.LOADER.get("streamer", code).getEntrypoint().fetch(request);
      }
    }
    return new Response("not found", { status: 404 });
  },
};
