// Helpers shared by the other scripts: global definition, DOMException and
// byte conversions. Each script runs as a function of (internal, native).

if (typeof Symbol.asyncIterator !== "symbol") {
  // NOTE: goja has no Symbol.asyncIterator. esbuild's lowered for-await falls back
  // to Symbol.for("Symbol.asyncIterator"), so both find the same symbol.
  Object.defineProperty(Symbol, "asyncIterator", { value: Symbol.for("Symbol.asyncIterator") });
}

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

// The scripts of lazy groups run after worker code, which may have replaced
// these builtins, so the helpers they call keep the originals.
const { defineProperty, assign } = Object;
const { toStringTag } = Symbol;

// defineGlobal defines a global the way Web IDL does: writable, configurable and
// not enumerable.
const defineGlobal = native.defineGlobal;

// setToStringTag gives a class the Object.prototype.toString tag of its name.
function setToStringTag(cls, tag = cls.name) {
  defineProperty(cls.prototype, toStringTag, { value: tag, configurable: true });
}

const domExceptionCodes = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

class DOMException extends Error {
  #name;

  constructor(message = "", options = "Error") {
    const hasOptions = options !== null && typeof options === "object";
    super(String(message), hasOptions && "cause" in options ? { cause: options.cause } : undefined);
    if (hasOptions) {
      this.#name = options.name === undefined ? "Error" : String(options.name);
    } else {
      this.#name = String(options);
    }
  }

  get name() {
    return this.#name;
  }

  get code() {
    return domExceptionCodes[this.#name] || 0;
  }
}
setToStringTag(DOMException);
for (const [name, code] of Object.entries(domExceptionCodes)) {
  const words = name.replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").replace(/([a-z])([A-Z])/g, "$1_$2");
  const constant = words.toUpperCase().replace(/_ERROR$/, "_ERR");
  Object.defineProperty(DOMException, constant, { value: code, enumerable: true });
  Object.defineProperty(DOMException.prototype, constant, { value: code, enumerable: true });
}
defineGlobal("DOMException", DOMException);

function isBufferSource(value) {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

// viewBytes returns a Uint8Array over the same memory as an ArrayBuffer or view.
function viewBytes(value) {
  if (value instanceof Uint8Array) {
    return value;
  }
  if (value instanceof ArrayBuffer) {
    return new Uint8Array(value);
  }
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

// copyBytes returns a new Uint8Array holding a copy of a buffer source. Go
// copies the bytes, which skips zeroing the new buffer first.
function copyBytes(value) {
  return new Uint8Array(native.copyBytes(viewBytes(value)));
}

function concatBytes(chunks, total) {
  if (chunks.length === 1) {
    return chunks[0];
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

// markHandled keeps a promise that may reject from counting as an unhandled
// rejection.
function markHandled(promise) {
  promise.then(undefined, () => {});
  return promise;
}

function errorMessage(error) {
  if (error instanceof Error) {
    return `${error.name}: ${error.message}`;
  }
  return String(error);
}

assign(internal, {
  inspectCustom,
  defineProperty,
  assign,
  defineGlobal,
  setToStringTag,
  DOMException,
  isBufferSource,
  viewBytes,
  copyBytes,
  concatBytes,
  markHandled,
  errorMessage,
});
