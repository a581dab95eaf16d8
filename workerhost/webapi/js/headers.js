// Headers, after the WHATWG Fetch standard: names are case-insensitive and
// lower-cased, iteration is sorted by name, and Set-Cookie values stay separate.

const { defineGlobal, setToStringTag, inspectCustom } = internal;

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const httpWhitespace = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const immutableMessage = "Can't modify immutable headers.";

// validNames maps header names that passed the token check to their lower-case
// form, so that a name seen before costs one lookup instead of a regular
// expression. It is emptied when it reaches maxValidNames entries, which bounds
// the memory that worker code can make it hold.
const validNames = new Map();
const maxValidNames = 256;

function normalizeName(name) {
  const s = typeof name === "string" ? name : String(name);
  const cached = validNames.get(s);
  if (cached !== undefined) {
    return cached;
  }
  if (!tokenPattern.test(s)) {
    throw new TypeError("Invalid header name.");
  }
  const lower = s.toLowerCase();
  if (validNames.size >= maxValidNames) {
    validNames.clear();
  }
  validNames.set(s, lower);
  return lower;
}

function isHTTPWhitespace(code) {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

// normalizeValue trims HTTP whitespace and rejects NUL, CR and LF. Characters
// above U+00FF are kept and sent as UTF-8, as workerd does, where the standard
// would reject them. A Go check passes the common value that needs no change,
// because each string method called below costs goja a wrapper object.
function normalizeValue(value) {
  let s = typeof value === "string" ? value : String(value);
  if (native.isNormalHeaderValue(s)) {
    return s;
  }
  if (s.length > 0 && (isHTTPWhitespace(s.charCodeAt(0)) || isHTTPWhitespace(s.charCodeAt(s.length - 1)))) {
    s = s.replace(httpWhitespace, "");
  }
  if (s.indexOf("\n") !== -1 || s.indexOf("\r") !== -1 || s.indexOf("\0") !== -1) {
    throw new TypeError("Invalid header value.");
  }
  return s;
}

// The callbacks below run under Map.prototype.forEach with an array or map
// as this. On a map of 5 headers, goja runs forEach about 4 times as fast as
// the iterator protocol that for...of and spreading use, and named functions
// avoid a closure per call.

function pushNameAndValues(values, name) {
  for (let i = 0; i < values.length; i++) {
    this.push(name, values[i]);
  }
}

function pushName(values, name) {
  this.push(name);
}

function copyEntry(values, name) {
  this.set(name, values.slice());
}

// kFromList is the constructor argument with which headersFromList creates
// Headers that it fills itself.
const kFromList = Symbol("Headers from a list");

// emptyList is the #list of Headers made without init. #entries and
// headersList only read a list, so all such Headers can share it.
const emptyList = Object.freeze([]);

class Headers {
  // #map maps lower-case names to arrays of values. Headers from Go, from a
  // record or from nothing keep a normalized flat list in #list instead, and
  // #entries builds #map from it on first use, so headers that are only passed
  // on are never indexed.
  #map = null;
  #list = null;
  #immutable = false;

  constructor(init = undefined) {
    if (init === kFromList) {
      return;
    }
    if (init === undefined || init === null) {
      this.#list = emptyList;
      return;
    }
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    }
    if (init instanceof Headers) {
      this.#map = new Map();
      init.#entries().forEach(copyEntry, this.#map);
      return;
    }
    if (typeof init[Symbol.iterator] === "function") {
      this.#map = new Map();
      for (const pair of init) {
        const entry = Array.from(pair);
        if (entry.length !== 2) {
          throw new TypeError("Failed to construct 'Headers': Invalid value: each header must be a name/value pair.");
        }
        this.append(entry[0], entry[1]);
      }
      return;
    }
    // A record is checked in the order that append would check it.
    const keys = Object.keys(init);
    const list = [];
    for (let i = 0; i < keys.length; i++) {
      const value = init[keys[i]];
      list.push(normalizeName(keys[i]), normalizeValue(value));
    }
    this.#list = list;
  }

  #entries() {
    if (this.#map === null) {
      const map = new Map();
      const flat = this.#list;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const values = map.get(flat[i]);
        if (values === undefined) {
          map.set(flat[i], [flat[i + 1]]);
        } else {
          values.push(flat[i + 1]);
        }
      }
      this.#map = map;
      this.#list = null;
    }
    return this.#map;
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
    const map = this.#entries();
    const values = map.get(key);
    if (values) {
      values.push(normalized);
    } else {
      map.set(key, [normalized]);
    }
  }

  set(name, value) {
    const key = normalizeName(name);
    const normalized = normalizeValue(value);
    this.#checkMutable();
    this.#entries().set(key, [normalized]);
  }

  delete(name) {
    const key = normalizeName(name);
    this.#checkMutable();
    this.#entries().delete(key);
  }

  get(name) {
    const values = this.#entries().get(normalizeName(name));
    if (values === undefined) {
      return null;
    }
    return values.length === 1 ? values[0] : values.join(", ");
  }

  getAll(name) {
    const key = normalizeName(name);
    if (key !== "set-cookie") {
      throw new TypeError("getAll() can only be used with the header name \"Set-Cookie\".");
    }
    return this.getSetCookie();
  }

  getSetCookie() {
    const values = this.#entries().get("set-cookie");
    return values ? values.slice() : [];
  }

  has(name) {
    return this.#entries().has(normalizeName(name));
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    }
    const entries = this.#sortedEntries();
    for (let i = 0; i < entries.length; i++) {
      callback.call(thisArg, entries[i][1], entries[i][0], this);
    }
  }

  // #sortedEntries returns the pairs that iteration yields, with names sorted
  // and Set-Cookie values listed one by one.
  #sortedEntries() {
    const map = this.#entries();
    const names = [];
    map.forEach(pushName, names);
    names.sort();
    const out = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const values = map.get(name);
      if (name === "set-cookie") {
        for (let j = 0; j < values.length; j++) {
          out.push([name, values[j]]);
        }
      } else {
        out.push([name, values.length === 1 ? values[0] : values.join(", ")]);
      }
    }
    return out;
  }

  entries() {
    return this.#sortedEntries()[Symbol.iterator]();
  }

  keys() {
    return this.#sortedEntries().map((entry) => entry[0])[Symbol.iterator]();
  }

  values() {
    return this.#sortedEntries().map((entry) => entry[1])[Symbol.iterator]();
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
      if (h.#map === null) {
        return h.#list;
      }
      const flat = [];
      h.#map.forEach(pushNameAndValues, flat);
      return flat;
    };
    // headersFromList builds immutable Headers from a flat [name, value, ...]
    // array. When normalized is true, Go has already checked, lower-cased and
    // trimmed every name and value, so they are stored as they are.
    internal.headersFromList = (flat, normalized) => {
      let h;
      if (normalized) {
        h = new Headers(kFromList);
        h.#list = flat;
      } else {
        h = new Headers();
        for (let i = 0; i + 1 < flat.length; i += 2) {
          h.append(flat[i], flat[i + 1]);
        }
      }
      h.#immutable = true;
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
