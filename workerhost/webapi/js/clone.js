// structuredClone for plain data: primitives, objects, arrays, Map, Set, Date,
// RegExp, boxed primitives, ArrayBuffer, typed arrays, DataView and errors.
// NOTE: the transfer option is ignored, so transferred buffers are copied.

const { defineGlobal, DOMException } = internal;

const errorTypes = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

// Objects made by the platform, which V8 cannot clone either.
const uncloneableTags = new Set([
  "AbortController", "AbortSignal", "Event", "EventTarget", "Headers", "Promise", "ReadableStream",
  "Request", "Response", "TextDecoder", "TextEncoder", "TransformStream", "WeakMap", "WeakRef",
  "WeakSet", "WritableStream",
]);

function cloneError(value) {
  const tag = Object.prototype.toString.call(value);
  if (typeof value === "function") {
    return new DOMException(`${Function.prototype.toString.call(value)} could not be cloned.`, "DataCloneError");
  }
  if (typeof value === "symbol") {
    return new DOMException(`${value.toString()} could not be cloned.`, "DataCloneError");
  }
  return new DOMException(`#<${tag.slice(8, -1)}> could not be cloned.`, "DataCloneError");
}

function cloneObject(value, memo) {
  if (value instanceof Date) {
    return new Date(value.getTime());
  }
  if (value instanceof RegExp) {
    return new RegExp(value.source, value.flags);
  }
  for (const Box of [Boolean, Number, String, BigInt]) {
    if (value instanceof Box) {
      return Object(Box.prototype.valueOf.call(value));
    }
  }
  if (value instanceof ArrayBuffer) {
    return value.slice(0);
  }
  if (ArrayBuffer.isView(value)) {
    const buffer = cloneValue(value.buffer, memo);
    if (value instanceof DataView) {
      return new DataView(buffer, value.byteOffset, value.byteLength);
    }
    return new value.constructor(buffer, value.byteOffset, value.length);
  }
  if (value instanceof Error) {
    const Type = errorTypes[value.name] || Error;
    const copy = new Type(String(value.message));
    if (typeof value.stack === "string") {
      Object.defineProperty(copy, "stack", { value: value.stack, writable: true, configurable: true });
    }
    if ("cause" in value) {
      copy.cause = cloneValue(value.cause, memo);
    }
    return copy;
  }
  return undefined;
}

function cloneValue(value, memo) {
  if (typeof value === "function" || typeof value === "symbol") {
    throw cloneError(value);
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  if (memo.has(value)) {
    return memo.get(value);
  }

  if (uncloneableTags.has(value[Symbol.toStringTag])) {
    throw cloneError(value);
  }
  const simple = cloneObject(value, memo);
  if (simple !== undefined) {
    memo.set(value, simple);
    return simple;
  }

  if (value instanceof Map) {
    const copy = new Map();
    memo.set(value, copy);
    for (const [k, v] of value) {
      copy.set(cloneValue(k, memo), cloneValue(v, memo));
    }
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memo.set(value, copy);
    for (const v of value) {
      copy.add(cloneValue(v, memo));
    }
    return copy;
  }

  const copy = Array.isArray(value) ? new Array(value.length) : {};
  memo.set(value, copy);
  for (const key of Object.keys(value)) {
    copy[key] = cloneValue(value[key], memo);
  }
  return copy;
}

function structuredClone(value, options = undefined) {
  if (arguments.length < 1) {
    throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  }
  return cloneValue(value, new Map());
}

defineGlobal("structuredClone", structuredClone);
