// ReadableStream, WritableStream and TransformStream, alone and as the
// bodies of responses that cross from a dynamic worker.
import assert from "node:assert";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return chunks;
    }
    chunks.push(value);
  }
}

export const readableFromSource = {
  async test() {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue("a");
        controller.enqueue("b");
        controller.close();
      },
    });
    assert.deepStrictEqual(await readAll(stream), ["a", "b"]);
  },
};

export const readablePull = {
  async test() {
    let n = 0;
    const stream = new ReadableStream({
      pull(controller) {
        n++;
        if (n > 3) {
          controller.close();
        } else {
          controller.enqueue(n);
        }
      },
    });
    assert.deepStrictEqual(await readAll(stream), [1, 2, 3]);
  },
};

export const readerLocks = {
  async test() {
    const stream = new ReadableStream();
    assert.strictEqual(stream.locked, false);
    const reader = stream.getReader();
    assert.strictEqual(stream.locked, true);
    assert.throws(() => stream.getReader(), TypeError);
    reader.releaseLock();
    assert.strictEqual(stream.locked, false);
  },
};

export const readableError = {
  async test() {
    const stream = new ReadableStream({
      start(controller) {
        controller.error(new RangeError("broken"));
      },
    });
    await assert.rejects(stream.getReader().read(), { name: "RangeError", message: "broken" });
  },
};

export const readableCancel = {
  async test() {
    let reason;
    const stream = new ReadableStream({
      cancel(r) {
        reason = r;
      },
    });
    await stream.cancel("stop");
    assert.strictEqual(reason, "stop");
  },
};

export const teeCopies = {
  async test() {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(1);
        controller.enqueue(2);
        controller.close();
      },
    });
    const [a, b] = stream.tee();
    assert.deepStrictEqual(await readAll(a), [1, 2]);
    assert.deepStrictEqual(await readAll(b), [1, 2]);
  },
};

export const writableSink = {
  async test() {
    const written = [];
    let closed = false;
    const stream = new WritableStream({
      write(chunk) {
        written.push(chunk);
      },
      close() {
        closed = true;
      },
    });
    const writer = stream.getWriter();
    await writer.write("x");
    await writer.write("y");
    await writer.close();
    assert.deepStrictEqual(written, ["x", "y"]);
    assert.strictEqual(closed, true);
  },
};

export const transformPipe = {
  async test() {
    const upper = new TransformStream({
      transform(chunk, controller) {
        controller.enqueue(chunk.toUpperCase());
      },
    });
    const source = new ReadableStream({
      start(controller) {
        controller.enqueue("ab");
        controller.enqueue("cd");
        controller.close();
      },
    });
    assert.deepStrictEqual(await readAll(source.pipeThrough(upper)), ["AB", "CD"]);
  },
};

export const pipeToWritable = {
  async test() {
    const written = [];
    const source = new ReadableStream({
      start(controller) {
        controller.enqueue(1);
        controller.enqueue(2);
        controller.close();
      },
    });
    await source.pipeTo(new WritableStream({ write(chunk) { written.push(chunk); } }));
    assert.deepStrictEqual(written, [1, 2]);
  },
};

export const identityTransformBody = {
  async test() {
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    writer.write(encoder.encode("hello "));
    writer.write(encoder.encode("world"));
    writer.close();
    assert.strictEqual(await new Response(readable).text(), "hello world");
  },
};

export const responseBodyStream = {
  async test() {
    const response = new Response("streamed");
    assert.ok(response.body instanceof ReadableStream);
    const chunks = await readAll(response.body);
    assert.ok(chunks.every((c) => c instanceof Uint8Array));
    assert.strictEqual(chunks.map((c) => decoder.decode(c)).join(""), "streamed");
    assert.strictEqual(response.bodyUsed, true);
  },
};

export const streamedResponseAcrossWorkers = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: {
        "main.js": `
          export default {
            fetch() {
              const encoder = new TextEncoder();
              let i = 0;
              const body = new ReadableStream({
                pull(controller) {
                  i++;
                  if (i > 5) {
                    controller.close();
                  } else {
                    controller.enqueue(encoder.encode("chunk" + i + ";"));
                  }
                },
              });
              return new Response(body, { headers: { "Content-Type": "text/plain" } });
            },
          };`,
      },
    }).getEntrypoint();
    const response = await ep.fetch("https://example.com/");
    assert.strictEqual(await response.text(), "chunk1;chunk2;chunk3;chunk4;chunk5;");
  },
};

export const streamedRequestAcrossWorkers = {
  async test(ctrl, env) {
    const ep = env.LOADER.load({
      compatibilityDate: "2025-06-01",
      mainModule: "main.js",
      modules: { "main.js": "export default { async fetch(r) { return new Response(String((await r.arrayBuffer()).byteLength)); } };" },
    }).getEntrypoint();
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    const sending = (async () => {
      for (let i = 0; i < 10; i++) {
        await writer.write(new Uint8Array(1000));
      }
      await writer.close();
    })();
    const response = await ep.fetch("https://example.com/", { method: "POST", body: readable });
    assert.strictEqual(await response.text(), "10000");
    await sending;
  },
};
