// Small globals: crypto, navigator, performance, queueMicrotask and self, and
// fixes to the URL class that Install takes from goja_nodejs.

const { defineGlobal, setToStringTag, DOMException, reportError } = internal;

const integerArrays = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  BigInt64Array, BigUint64Array,
];

class Crypto {
  getRandomValues(array) {
    if (!integerArrays.some((Type) => array instanceof Type)) {
      throw new DOMException("The data argument must be an integer-type TypedArray.", "TypeMismatchError");
    }
    if (!native.randomFill(array)) {
      throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
    }
    return array;
  }

  randomUUID() {
    return native.randomUUID();
  }

  // TODO: crypto.subtle (Web Crypto) is not implemented.
  get subtle() {
    return undefined;
  }
}
setToStringTag(Crypto);

class Navigator {
  get userAgent() {
    return "Cloudflare-Workers";
  }

  get hardwareConcurrency() {
    return 1;
  }
}
setToStringTag(Navigator);

const timeOrigin = Date.now();
const performance = {
  timeOrigin,
  now: () => Date.now() - timeOrigin,
};

function queueMicrotask(callback) {
  if (typeof callback !== "function") {
    throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
  }
  Promise.resolve().then(() => {
    try {
      callback();
    } catch (err) {
      reportError(err);
    }
  });
}

defineGlobal("Crypto", Crypto);
defineGlobal("crypto", new Crypto());
defineGlobal("Navigator", Navigator);
defineGlobal("navigator", new Navigator());
defineGlobal("performance", performance);
defineGlobal("queueMicrotask", queueMicrotask);
defineGlobal("self", globalThis);

// goja_nodejs builds URL on Go's net/url. Its origin drops the port and its href
// getter misses changes made through searchParams, so a subclass fixes both.
// NOTE: the parser is still net/url's, not the WHATWG URL parser.
const specialSchemes = new Set(["http:", "https:", "ws:", "wss:", "ftp:"]);
const NodeURL = URL;

class WebURL extends NodeURL {
  get origin() {
    return specialSchemes.has(this.protocol) ? `${this.protocol}//${this.host}` : "null";
  }

  get href() {
    return this.toString();
  }

  set href(value) {
    super.href = value;
  }

  static canParse(url, base = undefined) {
    return WebURL.parse(url, base) !== null;
  }

  static parse(url, base = undefined) {
    try {
      return base === undefined ? new WebURL(url) : new WebURL(url, base);
    } catch (err) {
      return null;
    }
  }
}
Object.defineProperty(WebURL, "name", { value: "URL" });
setToStringTag(WebURL, "URL");
setToStringTag(URLSearchParams);
defineGlobal("URL", WebURL);
