// TextEncoder, TextDecoder, base64 and URL parsing.
import assert from "node:assert";

export const textEncoder = {
  test() {
    const encoder = new TextEncoder();
    assert.strictEqual(encoder.encoding, "utf-8");
    assert.deepStrictEqual([...encoder.encode("hé€")], [0x68, 0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    assert.deepStrictEqual([...encoder.encode()], []);
    // A lone surrogate becomes U+FFFD.
    assert.deepStrictEqual([...encoder.encode("\ud800")], [0xef, 0xbf, 0xbd]);
    const target = new Uint8Array(4);
    assert.deepStrictEqual(encoder.encodeInto("h€", target), { read: 2, written: 4 });
    assert.deepStrictEqual([...target], [0x68, 0xe2, 0x82, 0xac]);
    assert.deepStrictEqual(encoder.encodeInto("€", new Uint8Array(2)), { read: 0, written: 0 });
  },
};

export const textDecoder = {
  test() {
    const decoder = new TextDecoder();
    assert.strictEqual(decoder.encoding, "utf-8");
    assert.strictEqual(decoder.decode(new Uint8Array([0x68, 0xc3, 0xa9])), "hé");
    assert.strictEqual(decoder.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "a");
    assert.strictEqual(new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "\ufeffa");
    assert.strictEqual(decoder.decode(new Uint8Array([0xff, 0x61])), "\ufffda");
    assert.strictEqual(decoder.decode(new Uint8Array([0x61, 0x62]).buffer), "ab");
    assert.strictEqual(decoder.decode(), "");
  },
};

export const textDecoderFatal = {
  test() {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    assert.strictEqual(decoder.fatal, true);
    assert.throws(() => decoder.decode(new Uint8Array([0xff])), { name: "TypeError", message: "Failed to decode input." });
  },
};

export const textDecoderStream = {
  test() {
    const decoder = new TextDecoder();
    const euro = [0xe2, 0x82, 0xac];
    let out = decoder.decode(new Uint8Array(euro.slice(0, 2)), { stream: true });
    assert.strictEqual(out, "");
    out += decoder.decode(new Uint8Array(euro.slice(2)), { stream: true });
    assert.strictEqual(out, "€");
    assert.strictEqual(decoder.decode(), "");
  },
};

export const textDecoderLabels = {
  test() {
    assert.strictEqual(new TextDecoder("UTF8").encoding, "utf-8");
    assert.strictEqual(new TextDecoder("utf-16le").encoding, "utf-16le");
    assert.strictEqual(new TextDecoder("utf-16").encoding, "utf-16le");
    assert.strictEqual(new TextDecoder("utf-16be").encoding, "utf-16be");
    assert.throws(() => new TextDecoder("no-such-encoding"), { name: "RangeError", message: '"no-such-encoding" is not a valid encoding.' });
  },
};

export const textDecoderUTF16 = {
  test() {
    const le = new TextDecoder("utf-16le");
    assert.strictEqual(le.decode(new Uint8Array([0x61, 0x00, 0xac, 0x20])), "a€");
    // A byte order mark is removed, and a surrogate pair decodes to one character.
    assert.strictEqual(le.decode(new Uint8Array([0xff, 0xfe, 0x3d, 0xd8, 0x00, 0xde])), "😀");
    assert.strictEqual(new TextDecoder("utf-16be").decode(new Uint8Array([0x00, 0x61, 0x20, 0xac])), "a€");
    // workerd keeps unpaired surrogates, where the Encoding standard
    // replaces them. An odd trailing byte becomes U+FFFD.
    assert.strictEqual(le.decode(new Uint8Array([0x00, 0xdc, 0x61, 0x00])), "\udc00a");
    assert.strictEqual(le.decode(new Uint8Array([0x61, 0x00, 0x00, 0xd8])), "a\ud800");
    assert.strictEqual(le.decode(new Uint8Array([0x61, 0x00, 0x62])), "a\ufffd");
    assert.throws(() => new TextDecoder("utf-16le", { fatal: true }).decode(new Uint8Array([0x61])), {
      name: "TypeError",
      message: "Failed to decode input.",
    });
    // In stream mode an odd byte waits for the next chunk.
    const stream = new TextDecoder("utf-16le");
    let out = stream.decode(new Uint8Array([0x61]), { stream: true });
    out += stream.decode(new Uint8Array([0x00, 0x62]), { stream: true });
    out += stream.decode(new Uint8Array([0x00]));
    assert.strictEqual(out, "ab");
    // A lead surrogate at the end of a chunk waits for its trail.
    assert.strictEqual(stream.decode(new Uint8Array([0x3d, 0xd8]), { stream: true }), "");
    assert.strictEqual(stream.decode(new Uint8Array([0x00, 0xde])), "😀");
  },
};

export const base64 = {
  test() {
    assert.strictEqual(btoa("hello"), "aGVsbG8=");
    assert.strictEqual(atob("aGVsbG8="), "hello");
    assert.strictEqual(atob(" aGVs bG8 "), "hello");
    assert.throws(() => btoa("€"), (e) => e.name === "InvalidCharacterError");
    assert.throws(() => atob("a"), (e) => e.name === "InvalidCharacterError");
  },
};

export const urlParsing = {
  test() {
    const url = new URL("HTTPS://user:pw@Example.COM:443/a/./b/../c?x=1&y=2#frag");
    assert.strictEqual(url.href, "https://user:pw@example.com/a/c?x=1&y=2#frag");
    assert.strictEqual(url.protocol, "https:");
    assert.strictEqual(url.username, "user");
    assert.strictEqual(url.password, "pw");
    assert.strictEqual(url.host, "example.com");
    assert.strictEqual(url.port, "");
    assert.strictEqual(url.pathname, "/a/c");
    assert.strictEqual(url.search, "?x=1&y=2");
    assert.strictEqual(url.hash, "#frag");
    assert.strictEqual(url.origin, "https://example.com");
    assert.strictEqual(String(url), url.href);
    assert.strictEqual(JSON.stringify({ url }), `{"url":"${url.href}"}`);
  },
};

export const urlRelative = {
  test() {
    assert.strictEqual(new URL("../d?q", "https://example.com/a/b/c").href, "https://example.com/a/d?q");
    assert.strictEqual(new URL("//other.org/x", "https://example.com/").href, "https://other.org/x");
    assert.throws(() => new URL("relative"), TypeError);
    assert.throws(() => new URL("http://exa mple.com/"), TypeError);
  },
};

export const urlEncoding = {
  test() {
    const url = new URL("https://example.com/a b/é?q=a b&r=é#h h");
    assert.strictEqual(url.pathname, "/a%20b/%C3%A9");
    assert.strictEqual(url.search, "?q=a%20b&r=%C3%A9");
    assert.strictEqual(url.hash, "#h%20h");
    assert.strictEqual(new URL("https://EXAMPLE.com:8080/").host, "example.com:8080");
    assert.strictEqual(new URL("http://example.com:80/").port, "");
  },
};

export const urlSetters = {
  test() {
    const url = new URL("https://example.com/path");
    url.pathname = "/other";
    url.searchParams.set("k", "v w");
    url.hash = "top";
    assert.strictEqual(url.href, "https://example.com/other?k=v+w#top");
    url.search = "";
    assert.strictEqual(url.href, "https://example.com/other#top");
  },
};

export const searchParams = {
  test() {
    const params = new URLSearchParams("?b=2&a=1&b=3&c=%20x+y");
    assert.strictEqual(params.get("b"), "2");
    assert.deepStrictEqual(params.getAll("b"), ["2", "3"]);
    assert.strictEqual(params.get("c"), " x y");
    assert.strictEqual(params.get("missing"), null);
    assert.strictEqual(params.has("a"), true);
    params.append("d", "&=");
    params.delete("a");
    params.sort();
    assert.strictEqual(params.toString(), "b=2&b=3&c=+x+y&d=%26%3D");
    assert.strictEqual(params.size, 4);
    assert.deepStrictEqual([...new URLSearchParams({ x: "1", y: "2" })], [["x", "1"], ["y", "2"]]);
    assert.deepStrictEqual([...new URLSearchParams([["x", "1"]])], [["x", "1"]]);
  },
};

export const urlCanParse = {
  test() {
    assert.strictEqual(URL.canParse("https://example.com/"), true);
    assert.strictEqual(URL.canParse("nope"), false);
    assert.strictEqual(URL.canParse("x", "https://example.com/"), true);
  },
};
