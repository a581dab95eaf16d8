package webapi

import "testing"

// readAllJS is a script prefix with a helper that reads a stream to an array.
const readAllJS = `
async function readAll(stream) {
  const reader = stream.getReader();
  const out = [];
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return out;
    out.push(value);
  }
}
const text = (chunks) => chunks.map((c) => new TextDecoder().decode(c)).join("");
`

func TestReadableStream(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "start enqueue close",
			script: readAllJS + `return (await readAll(new ReadableStream({start(c) { c.enqueue(1); c.enqueue(2); c.close(); }}))).join()`,
			want:   "1,2",
		},
		{
			name:   "pull on demand",
			script: readAllJS + `let n = 0; const s = new ReadableStream({pull(c) { n++; n > 3 ? c.close() : c.enqueue(n); }}); return (await readAll(s)).join()`,
			want:   "1,2,3",
		},
		{
			name:   "async pull",
			script: readAllJS + `let n = 0; const s = new ReadableStream({async pull(c) { await null; if (++n > 2) c.close(); else c.enqueue("x" + n); }}); return (await readAll(s)).join()`,
			want:   "x1,x2",
		},
		{
			name:   "desiredSize follows highWaterMark",
			script: `let ctl; new ReadableStream({start(c) { ctl = c; }}, {highWaterMark: 3}); const a = ctl.desiredSize; ctl.enqueue("x"); return [a, ctl.desiredSize].join()`,
			want:   "3,2",
		},
		{
			name:   "size function",
			script: `let ctl; new ReadableStream({start(c) { ctl = c; }}, {highWaterMark: 10, size: (s) => s.length}); ctl.enqueue("abcd"); return ctl.desiredSize`,
			want:   "6",
		},
		{
			name:    "error rejects reads",
			script:  `const s = new ReadableStream({start(c) { c.error(new TypeError("boom")); }}); await s.getReader().read()`,
			wantErr: "TypeError: boom",
		},
		{
			name:    "start throws",
			script:  `new ReadableStream({start() { throw new RangeError("bad start"); }})`,
			wantErr: "RangeError: bad start",
		},
		{
			name:    "enqueue after close",
			script:  `new ReadableStream({start(c) { c.close(); c.enqueue(1); }})`,
			wantErr: "TypeError",
		},
		{
			name:   "locked and releaseLock",
			script: `const s = new ReadableStream(); const r = s.getReader(); const a = s.locked; r.releaseLock(); return [a, s.locked].join()`,
			want:   "true,false",
		},
		{
			name:    "second reader",
			script:  `const s = new ReadableStream(); s.getReader(); s.getReader()`,
			wantErr: "TypeError: This ReadableStream is currently locked to a reader.",
		},
		{
			name:    "read after releaseLock",
			script:  `const s = new ReadableStream(); const r = s.getReader(); r.releaseLock(); await r.read()`,
			wantErr: "TypeError: This ReadableStream reader has been released.",
		},
		{
			name:    "releaseLock rejects pending read",
			script:  `const s = new ReadableStream(); const r = s.getReader(); const p = r.read(); r.releaseLock(); await p`,
			wantErr: "TypeError: This ReadableStream reader has been released.",
		},
		{
			name:   "closed promise",
			script: `const s = new ReadableStream({start(c) { c.close(); }}); await s.getReader().closed; return "closed"`,
			want:   "closed",
		},
		{
			name:   "cancel calls source cancel",
			script: `let reason; const s = new ReadableStream({cancel(r) { reason = r; }}); await s.cancel("why"); return reason`,
			want:   "why",
		},
		{
			name:   "reader cancel resolves pending reads",
			script: `const r = new ReadableStream().getReader(); const p = r.read(); await r.cancel(); return (await p).done`,
			want:   "true",
		},
		{
			name:    "cancel of locked stream",
			script:  `const s = new ReadableStream(); s.getReader(); await s.cancel()`,
			wantErr: "TypeError: This ReadableStream is currently locked to a reader.",
		},
		{
			name:    "async iteration with for await",
			script:  `const s = new ReadableStream({start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); }}); const out = []; for await (const x of s) out.push(x); return out.join() + s.locked`,
			want:    "a,bfalse",
			lowered: true,
		},
		{
			name:    "break in for await cancels",
			script:  `let cancelled = false; const s = new ReadableStream({pull(c) { c.enqueue(1); }, cancel() { cancelled = true; }}); for await (const x of s) break; return cancelled`,
			want:    "true",
			lowered: true,
		},
		{
			name:   "values with preventCancel",
			script: `let cancelled = false; const s = new ReadableStream({pull(c) { c.enqueue(1); }, cancel() { cancelled = true; }}); const it = s.values({preventCancel: true}); await it.next(); await it.return(); return [cancelled, s.locked].join()`,
			want:   "false,false",
		},
		{
			name:   "tee",
			script: readAllJS + `const [a, b] = new ReadableStream({start(c) { c.enqueue(1); c.enqueue(2); c.close(); }}).tee(); return (await readAll(a)).join() + "|" + (await readAll(b)).join()`,
			want:   "1,2|1,2",
		},
		{
			name:   "tee cancels source when both branches cancel",
			script: `let reason; const [a, b] = new ReadableStream({cancel(r) { reason = r; }}).tee(); a.cancel("x"); await b.cancel("y"); return reason.join()`,
			want:   "x,y",
		},
		{
			name:   "ReadableStream.from array",
			script: readAllJS + `return (await readAll(ReadableStream.from([1, 2, 3]))).join()`,
			want:   "1,2,3",
		},
		{
			name:   "ReadableStream.from stream",
			script: readAllJS + `return (await readAll(ReadableStream.from(new Response("ab").body))).length`,
			want:   "1",
		},
		{
			name:   "pipeTo",
			script: `const out = []; const s = new ReadableStream({start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); }}); await s.pipeTo(new WritableStream({write(x) { out.push(x); }, close() { out.push("closed"); }})); return out.join()`,
			want:   "a,b,closed",
		},
		{
			name:   "pipeTo aborts destination on source error",
			script: `let aborted; const s = new ReadableStream({start(c) { c.error("bad"); }}); const p = s.pipeTo(new WritableStream({abort(r) { aborted = r; }})); await p.catch(() => {}); return aborted`,
			want:   "bad",
		},
		{
			name:   "pipeThrough",
			script: readAllJS + `const upper = new TransformStream({transform(chunk, c) { c.enqueue(chunk.toUpperCase()); }}); const s = ReadableStream.from(["a", "b"]).pipeThrough(upper); return (await readAll(s)).join()`,
			want:   "A,B",
		},
		{
			name:    "bad type",
			script:  `new ReadableStream({type: "nope"})`,
			wantErr: "RangeError",
		},
		{
			name:    "byob reader not supported",
			script:  `new ReadableStream({type: "bytes"}).getReader({mode: "byob"})`,
			wantErr: "TypeError: This ReadableStream does not support BYOB reads.",
		},
	}
	runScripts(t, tests)
}

func TestWritableAndTransformStream(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "writer writes in order",
			script: `const out = []; const w = new WritableStream({async write(x) { await null; out.push(x); }}).getWriter(); w.write(1); w.write(2); await w.close(); return out.join()`,
			want:   "1,2",
		},
		{
			name:   "ready and desiredSize",
			script: `const w = new WritableStream({write() { return new Promise(() => {}); }}, {highWaterMark: 1}).getWriter(); const a = w.desiredSize; w.write(1); w.write(2); return [a, w.desiredSize].join()`,
			want:   "1,-1",
		},
		{
			name:    "sink write error errors the stream",
			script:  `const w = new WritableStream({write() { throw new TypeError("sink failed"); }}).getWriter(); await w.write(1).catch(() => {}); await w.write(2)`,
			wantErr: "TypeError: sink failed",
		},
		{
			name:    "write after close",
			script:  `const w = new WritableStream().getWriter(); w.close(); await w.write(1)`,
			wantErr: "TypeError: This WritableStream has been closed.",
		},
		{
			name:   "abort",
			script: `let reason; const w = new WritableStream({abort(r) { reason = r; }}).getWriter(); await w.abort("stop"); return reason`,
			want:   "stop",
		},
		{
			name:    "second writer",
			script:  `const s = new WritableStream(); s.getWriter(); s.getWriter()`,
			wantErr: "TypeError: This WritableStream is currently locked to a writer.",
		},
		{
			name:   "identity transform",
			script: readAllJS + `const {readable, writable} = new TransformStream(); const w = writable.getWriter(); w.write("a"); w.write("b"); w.close(); return (await readAll(readable)).join()`,
			want:   "a,b",
		},
		{
			name:   "transform and flush",
			script: readAllJS + `const t = new TransformStream({transform(x, c) { c.enqueue(x * 2); }, flush(c) { c.enqueue("end"); }}); const w = t.writable.getWriter(); w.write(1); w.write(2); w.close(); return (await readAll(t.readable)).join()`,
			want:   "2,4,end",
		},
		{
			name:   "later writes stream to a response",
			script: `const {readable, writable} = new TransformStream(); const w = writable.getWriter(); const e = new TextEncoder(); setTimeout(async () => { await w.write(e.encode("late ")); await w.write(e.encode("data")); await w.close(); }, 5); return await new Response(readable).text()`,
			want:   "late data",
		},
		{
			name:   "backpressure holds a write until read",
			script: `const {readable, writable} = new TransformStream(); const w = writable.getWriter(); let written = false; w.write("x").then(() => { written = true; }); await new Promise((r) => setTimeout(r, 5)); const before = written; const reader = readable.getReader(); await reader.read(); await new Promise((r) => setTimeout(r, 5)); return [before, written].join()`,
			want:   "false,true",
		},
		{
			name:    "transform error errors both sides",
			script:  `const t = new TransformStream({transform() { throw new RangeError("no"); }}); t.writable.getWriter().write(1).catch(() => {}); await t.readable.getReader().read()`,
			wantErr: "RangeError: no",
		},
		{
			name:    "readable cancel errors writable",
			script:  `const t = new TransformStream(); await t.readable.cancel(new TypeError("gone")); await t.writable.getWriter().write(1)`,
			wantErr: "TypeError: gone",
		},
		{
			name:   "IdentityTransformStream",
			script: `const {readable, writable} = new IdentityTransformStream(); const w = writable.getWriter(); w.write(new Uint8Array([104, 105])); w.close(); return await new Response(readable).text()`,
			want:   "hi",
		},
	}
	runScripts(t, tests)
}
