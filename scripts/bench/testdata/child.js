// The dynamic worker of the benchmark. The parent worker and the Go host app
// load it unchanged into dynworker and into workerd.
import { WorkerEntrypoint } from "cloudflare:workers";

const bodies = new Map();

// body returns a response body of size bytes, built once per size.
function body(size) {
  let bytes = bodies.get(size);
  if (!bytes) {
    bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = 97 + (i % 26);
    bodies.set(size, bytes);
  }
  return bytes;
}

// spin is the CPU-bound workload: a sieve of Eratosthenes up to n, then
// objects built from the primes and a string joined from them. It returns a
// checksum so no engine can skip the work.
function spin(n) {
  const composite = new Uint8Array(n + 1);
  const primes = [];
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= n; j += i) composite[j] = 1;
  }
  const records = primes.map((p, i) => ({ p, square: p * p, odd: (i & 1) === 1 }));
  let sum = 0;
  for (const r of records) sum = (sum + r.square + (r.odd ? 1 : 0)) % 1000000007;
  const text = records.slice(0, 2000).map((r) => r.p.toString(36)).join(",");
  return sum + text.length;
}

export default class Bench extends WorkerEntrypoint {
  ping() {
    return 1;
  }

  cpu(n) {
    return spin(n);
  }

  fetch(request) {
    const size = Number(new URL(request.url).searchParams.get("size") || "0");
    return new Response(body(size), { headers: { "content-type": "application/octet-stream" } });
  }
}
