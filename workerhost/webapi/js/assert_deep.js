// Deep equality for node:assert. Strict mode compares with Object.is, checks
// prototypes and also compares enumerable symbol keys; loose mode compares
// primitives with == and ignores prototypes. Both treat NaN as equal to NaN.
// Part of the node:assert module source, after inspect.js.

const objectToString = Object.prototype.toString;

function isDeepEqual(a, b, strict) {
  return deepEqualValues(a, b, strict, new Map());
}

function deepEqualValues(a, b, strict, memo) {
  if (a === b) {
    return !strict || a !== 0 || Object.is(a, b);
  }
  const aObject = typeof a === "object" && a !== null;
  const bObject = typeof b === "object" && b !== null;
  if (!aObject || !bObject) {
    if (aObject || bObject || typeof a === "function" || typeof b === "function") {
      return false;
    }
    return strict ? Object.is(a, b) : a == b || (Number.isNaN(a) && Number.isNaN(b));
  }
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    return false;
  }
  if (objectToString.call(a) !== objectToString.call(b) || Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  let seen = memo.get(a);
  if (seen !== undefined && seen.has(b)) {
    return true; // already being compared further up a cycle
  }
  if (seen === undefined) {
    seen = new Set();
    memo.set(a, seen);
  }
  seen.add(b);
  return deepEqualObjects(a, b, strict, memo);
}

function deepEqualObjects(a, b, strict, memo) {
  if (a instanceof Date) {
    const at = a.getTime();
    const bt = b.getTime();
    if (at !== bt && !(Number.isNaN(at) && Number.isNaN(bt))) {
      return false;
    }
  } else if (a instanceof RegExp) {
    if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) {
      return false;
    }
  } else if (a instanceof Error) {
    if (a.name !== b.name || a.message !== b.message) {
      return false;
    }
  } else if (a instanceof ArrayBuffer) {
    if (!equalBytes(new Uint8Array(a), new Uint8Array(b))) {
      return false;
    }
  } else if (ArrayBuffer.isView(a)) {
    if (!equalViews(a, b, strict)) {
      return false;
    }
  } else if (isBoxed(a)) {
    if (!Object.is(a.valueOf(), b.valueOf())) {
      return false;
    }
  } else if (a instanceof Map) {
    if (!equalMaps(a, b, strict, memo)) {
      return false;
    }
  } else if (a instanceof Set) {
    if (!equalSets(a, b, strict, memo)) {
      return false;
    }
  }
  return equalKeys(a, b, strict, memo);
}

function isBoxed(value) {
  return value instanceof Number || value instanceof String || value instanceof Boolean ||
    value instanceof BigInt || value instanceof Symbol;
}

function equalBytes(a, b) {
  if (a.byteLength !== b.byteLength) {
    return false;
  }
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function equalViews(a, b, strict) {
  if (a instanceof DataView || strict || !(a instanceof Float32Array || a instanceof Float64Array)) {
    const bytes = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return equalBytes(bytes(a), bytes(b));
  }
  // Loose comparison of float arrays compares values, so 0 equals -0.
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function comparableKeys(value, strict) {
  const keys = Object.keys(value);
  if (strict) {
    for (const sym of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, sym)) {
        keys.push(sym);
      }
    }
  }
  return keys;
}

function equalKeys(a, b, strict, memo) {
  const aKeys = comparableKeys(a, strict);
  const bKeys = comparableKeys(b, strict);
  if (aKeys.length !== bKeys.length) {
    return false;
  }
  for (const key of aKeys) {
    if (!Object.prototype.propertyIsEnumerable.call(b, key)) {
      return false;
    }
    if (!deepEqualValues(a[key], b[key], strict, memo)) {
      return false;
    }
  }
  return true;
}

function equalSets(a, b, strict, memo) {
  if (a.size !== b.size) {
    return false;
  }
  const unmatched = [...b].filter((v) => typeof v === "object" && v !== null || !a.has(v));
  for (const value of a) {
    if (typeof value !== "object" || value === null) {
      if (b.has(value)) {
        continue;
      }
      if (strict) {
        return false;
      }
    }
    const index = unmatched.findIndex((candidate) => deepEqualValues(value, candidate, strict, memo));
    if (index === -1) {
      return false;
    }
    unmatched.splice(index, 1);
  }
  return true;
}

function equalMaps(a, b, strict, memo) {
  if (a.size !== b.size) {
    return false;
  }
  const unmatched = [...b].filter(([k]) => typeof k === "object" && k !== null || !a.has(k));
  for (const [key, value] of a) {
    if ((typeof key !== "object" || key === null) && b.has(key)) {
      if (!deepEqualValues(value, b.get(key), strict, memo)) {
        return false;
      }
      continue;
    }
    const index = unmatched.findIndex(([k, v]) =>
      deepEqualValues(key, k, strict, memo) && deepEqualValues(value, v, strict, memo));
    if (index === -1) {
      return false;
    }
    unmatched.splice(index, 1);
  }
  return true;
}
