// Headers, after the WHATWG Fetch standard: names are case-insensitive and
// lower-cased, iteration is sorted by name, and Set-Cookie values stay separate.

const { defineGlobal, setToStringTag, inspectCustom } = internal;

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const httpWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const immutableMessage = "Can't modify immutable headers.";

function normalizeName(name) {
  const s = String(name);
  if (!tokenPattern.test(s)) {
    throw new TypeError("Invalid header name.");
  }
  return s.toLowerCase();
}

// normalizeValue trims HTTP whitespace and rejects NUL, CR and LF. Characters
// above U+00FF are kept and sent as UTF-8, as workerd does, where the standard
// would reject them.
function normalizeValue(value) {
  const s = String(value).replace(httpWhitespace, "");
  if (/[\0\r\n]/.test(s)) {
    throw new TypeError("Invalid header value.");
  }
  return s;
}

class Headers {
  #map = new Map(); // lower-case name -> array of values
  #immutable = false;

  constructor(init = undefined) {
    if (init === undefined || init === null) {
      return;
    }
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    }
    if (init instanceof Headers) {
      for (const [name, values] of init.#map) {
        this.#map.set(name, values.slice());
      }
      return;
    }
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const entry = Array.from(pair);
        if (entry.length !== 2) {
          throw new TypeError("Failed to construct 'Headers': Invalid value: each header must be a name/value pair.");
        }
        this.append(entry[0], entry[1]);
      }
      return;
    }
    for (const key of Object.keys(init)) {
      this.append(key, init[key]);
    }
  }

  #checkMutable() {
    if (this.#immutable) {
      throw new TypeError(immutableMessage);
    }
  }

  append(name, value) {
    const key = normalizeName(name);
    const normalized = normalizeValue(value);
    this.#checkMutable();
    const values = this.#map.get(key);
    if (values) {
      values.push(normalized);
    } else {
      this.#map.set(key, [normalized]);
    }
  }

  set(name, value) {
    const key = normalizeName(name);
    const normalized = normalizeValue(value);
    this.#checkMutable();
    this.#map.set(key, [normalized]);
  }

  delete(name) {
    const key = normalizeName(name);
    this.#checkMutable();
    this.#map.delete(key);
  }

  get(name) {
    const values = this.#map.get(normalizeName(name));
    return values ? values.join(", ") : null;
  }

  getAll(name) {
    const key = normalizeName(name);
    if (key !== "set-cookie") {
      throw new TypeError("getAll() can only be used with the header name \"Set-Cookie\".");
    }
    return this.getSetCookie();
  }

  getSetCookie() {
    const values = this.#map.get("set-cookie");
    return values ? values.slice() : [];
  }

  has(name) {
    return this.#map.has(normalizeName(name));
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    }
    for (const [name, value] of this.#sortedEntries()) {
      callback.call(thisArg, value, name, this);
    }
  }

  // #sortedEntries returns the pairs that iteration yields, with names sorted
  // and Set-Cookie values listed one by one.
  #sortedEntries() {
    const out = [];
    for (const name of [...this.#map.keys()].sort()) {
      const values = this.#map.get(name);
      if (name === "set-cookie") {
        for (const value of values) {
          out.push([name, value]);
        }
      } else {
        out.push([name, values.join(", ")]);
      }
    }
    return out;
  }

  entries() {
    return this.#sortedEntries()[Symbol.iterator]();
  }

  keys() {
    return this.#sortedEntries().map(([name]) => name)[Symbol.iterator]();
  }

  values() {
    return this.#sortedEntries().map(([, value]) => value)[Symbol.iterator]();
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  [inspectCustom](depth, options, inspect) {
    const entries = this.#sortedEntries().map(([name, value]) => `${inspect(name)} => ${inspect(value)}`);
    return entries.length === 0 ? "Headers(0) {}" : `Headers(${entries.length}) { ${entries.join(", ")} }`;
  }

  static {
    // headersList returns every value of h as a flat [name, value, ...] array.
    internal.headersList = (h) => {
      const flat = [];
      for (const [name, values] of h.#map) {
        for (const value of values) {
          flat.push(name, value);
        }
      }
      return flat;
    };
    // headersFromList builds Headers from a flat [name, value, ...] array.
    internal.headersFromList = (flat, immutable) => {
      const h = new Headers();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        h.append(flat[i], flat[i + 1]);
      }
      h.#immutable = immutable;
      return h;
    };
    internal.freezeHeaders = (h) => {
      h.#immutable = true;
    };
  }
}
setToStringTag(Headers);

defineGlobal("Headers", Headers);

internal.Headers = Headers;
