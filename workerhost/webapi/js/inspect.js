// inspect formats a value for people, roughly as Node's util.inspect does. The
// file is also prepended to built-in modules such as node:assert, so it must not
// depend on the other scripts.
// NOTE: Node's grouping of long arrays into columns and its splitting of long
// strings are not implemented; such values print one entry per line.

const inspectCustomSymbol = Symbol.for("nodejs.util.inspect.custom");
const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function inspect(value, options) {
  const ctx = { depth: 2, breakLength: 80, seen: [], indentation: 0, currentDepth: 0 };
  if (options !== null && typeof options === "object") {
    if (options.depth === null || options.depth === Infinity) {
      ctx.depth = Infinity;
    } else if (typeof options.depth === "number") {
      ctx.depth = options.depth;
    }
    if (typeof options.breakLength === "number") {
      ctx.breakLength = options.breakLength;
    }
  }
  return formatValue(ctx, value, 0);
}

function quoteString(s) {
  let quote = "'";
  if (s.includes("'")) {
    quote = !s.includes('"') ? '"' : !s.includes("`") ? "`" : "'";
  }
  let out = quote;
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === quote || ch === "\\") {
      out += "\\" + ch;
    } else if (ch === "\n") {
      out += "\\n";
    } else if (ch === "\t") {
      out += "\\t";
    } else if (ch === "\r") {
      out += "\\r";
    } else if (code < 0x20 || code === 0x7f) {
      out += "\\x" + code.toString(16).padStart(2, "0").toUpperCase();
    } else {
      out += ch;
    }
  }
  return out + quote;
}

function formatPrimitive(value) {
  switch (typeof value) {
    case "string":
      return quoteString(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    default:
      return String(value);
  }
}

function formatKey(key) {
  if (typeof key === "symbol") {
    return `[${key.toString()}]`;
  }
  return identifierPattern.test(key) ? key : quoteString(key);
}

function constructorName(value) {
  for (let proto = value; proto !== null; proto = Object.getPrototypeOf(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, "constructor");
    if (desc && typeof desc.value === "function" && desc.value.name !== "") {
      return desc.value.name;
    }
  }
  return null;
}

function formatValue(ctx, value, recurseTimes) {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") {
    return formatPrimitive(value);
  }
  const custom = value[inspectCustomSymbol];
  if (typeof custom === "function" && custom !== inspect) {
    const result = custom.call(value, ctx.depth - recurseTimes, { depth: ctx.depth }, inspect);
    if (result !== value) {
      return typeof result === "string" ? result : formatValue(ctx, result, recurseTimes);
    }
  }
  if (ctx.seen.includes(value)) {
    return "[Circular *1]";
  }
  return formatObject(ctx, value, recurseTimes);
}

function functionBase(fn) {
  const source = Function.prototype.toString.call(fn);
  if (source.startsWith("class")) {
    const parent = Object.getPrototypeOf(fn);
    const parentName = typeof parent === "function" && parent.name ? ` extends ${parent.name}` : "";
    return `[class ${fn.name || "(anonymous)"}${parentName}]`;
  }
  const kind = constructorName(Object.getPrototypeOf(fn)) || "Function";
  return fn.name ? `[${kind}: ${fn.name}]` : `[${kind} (anonymous)]`;
}

function errorBase(err) {
  const stack = typeof err.stack === "string" ? err.stack : "";
  if (stack !== "") {
    return stack;
  }
  return `[${Error.prototype.toString.call(err)}]`;
}

function promiseEntries(ctx, promise, recurseTimes) {
  const state = typeof native === "object" ? native.promiseState(promise) : undefined;
  if (state === undefined) {
    return ["<unknown>"];
  }
  if (state[0] === "pending") {
    return ["<pending>"];
  }
  const result = formatValue(ctx, state[1], recurseTimes + 1);
  return [state[0] === "rejected" ? `<rejected> ${result}` : result];
}

function ownKeys(value) {
  const keys = Object.keys(value);
  for (const sym of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, sym)) {
      keys.push(sym);
    }
  }
  return keys;
}

// describeObject returns the base text, braces and entries formatter for value.
function describeObject(ctx, value, recurseTimes, ctor) {
  const tag = value[Symbol.toStringTag];
  const name = ctor === null ? "[Object: null prototype]" : ctor;
  const tagged = typeof tag === "string" && tag !== "" && tag !== ctor ? `${name} [${tag}]` : name;
  const next = recurseTimes + 1;

  if (Array.isArray(value)) {
    const prefix = ctor === "Array" ? "" : `${tagged}(${value.length}) `;
    return { braces: [`${prefix}[`, "]"], entries: () => arrayEntries(ctx, value, next), skipIndexes: true };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = () => Array.from(value, (v) => formatPrimitive(v));
    return { braces: [`${tagged}(${value.length}) [`, "]"], entries: items, skipIndexes: true };
  }
  if (value instanceof ArrayBuffer) {
    const shown = new Uint8Array(value, 0, Math.min(value.byteLength, 50));
    const hex = Array.from(shown, (b) => b.toString(16).padStart(2, "0"));
    const more = value.byteLength > 50 ? ` ... ${value.byteLength - 50} more bytes` : "";
    const entries = () => [`[Uint8Contents]: <${hex.join(" ")}${more}>`, `byteLength: ${value.byteLength}`];
    return { braces: [`${tagged} {`, "}"], entries };
  }
  if (value instanceof Map) {
    const entries = () => Array.from(value, ([k, v]) => `${formatValue(ctx, k, next)} => ${formatValue(ctx, v, next)}`);
    return { braces: [`${tagged}(${value.size}) {`, "}"], entries };
  }
  if (value instanceof Set) {
    const entries = () => Array.from(value, (v) => formatValue(ctx, v, next));
    return { braces: [`${tagged}(${value.size}) {`, "}"], entries };
  }
  if (value instanceof Promise) {
    return { braces: [`${tagged} {`, "}"], entries: () => promiseEntries(ctx, value, recurseTimes) };
  }
  if (value instanceof WeakMap || value instanceof WeakSet) {
    return { braces: [`${tagged} {`, "}"], entries: () => ["<items unknown>"] };
  }

  if (typeof value === "function") {
    return { base: functionBase(value), braces: ["{", "}"] };
  }
  if (value instanceof Error) {
    return { base: errorBase(value), braces: ["{", "}"], hidden: ["stack", "message"] };
  }
  if (value instanceof RegExp) {
    return { base: RegExp.prototype.toString.call(value), braces: ["{", "}"] };
  }
  if (value instanceof Date) {
    const time = Date.prototype.getTime.call(value);
    return { base: Number.isNaN(time) ? "Invalid Date" : Date.prototype.toISOString.call(value), braces: ["{", "}"] };
  }

  for (const [Box, label] of [[Number, "Number"], [String, "String"], [Boolean, "Boolean"]]) {
    if (value instanceof Box) {
      const base = `[${label}: ${formatPrimitive(Box.prototype.valueOf.call(value))}]`;
      return { base, braces: ["{", "}"], skipIndexes: Box === String };
    }
  }

  const prefix = ctor === "Object" && tagged === "Object" ? "" : `${tagged} `;
  return { braces: [`${prefix}{`, "}"] };
}

function arrayEntries(ctx, array, recurseTimes) {
  const out = [];
  const limit = Math.min(array.length, 100);
  for (let i = 0; i < limit; i++) {
    if (!Object.prototype.hasOwnProperty.call(array, i)) {
      let holes = 1;
      while (i + holes < limit && !Object.prototype.hasOwnProperty.call(array, i + holes)) {
        holes++;
      }
      out.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      i += holes - 1;
      continue;
    }
    out.push(formatValue(ctx, array[i], recurseTimes));
  }
  if (array.length > limit) {
    const rest = array.length - limit;
    out.push(`... ${rest} more item${rest > 1 ? "s" : ""}`);
  }
  return out;
}

function propertyEntry(ctx, value, key, recurseTimes) {
  const desc = Object.getOwnPropertyDescriptor(value, key);
  let text;
  if (desc.get !== undefined && desc.set !== undefined) {
    text = "[Getter/Setter]";
  } else if (desc.get !== undefined) {
    text = "[Getter]";
  } else if (desc.set !== undefined) {
    text = "[Setter]";
  } else {
    text = formatValue(ctx, desc.value, recurseTimes);
  }
  return `${formatKey(key)}: ${text}`;
}

function formatObject(ctx, value, recurseTimes) {
  const ctor = constructorName(value);
  const shape = describeObject(ctx, value, recurseTimes, ctor);
  let keys = ownKeys(value);
  if (shape.skipIndexes) {
    keys = keys.filter((k) => typeof k === "symbol" || !/^(0|[1-9][0-9]*)$/.test(k));
  }
  if (shape.hidden) {
    keys = keys.filter((k) => !shape.hidden.includes(k));
  }
  const base = shape.base || "";
  if (base !== "" && keys.length === 0) {
    return base;
  }
  if (recurseTimes > ctx.depth) {
    return base || `[${Array.isArray(value) ? "Array" : ctor || "Object"}]`;
  }

  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const saved = ctx.indentation;
  ctx.indentation += 2;
  const output = shape.entries ? shape.entries() : [];
  for (const key of keys) {
    output.push(propertyEntry(ctx, value, key, recurseTimes + 1));
  }
  ctx.indentation = saved;
  ctx.seen.pop();
  return joinEntries(ctx, output, base, shape.braces, recurseTimes);
}

// joinEntries puts entries on one line when they fit and the value nests fewer
// than three levels of objects. Otherwise it puts one entry per line.
function joinEntries(ctx, output, base, braces, recurseTimes) {
  const head = base ? `${base} ${braces[0]}` : braces[0];
  if (output.length === 0) {
    return base ? `${base} ${braces[0]}${braces[1]}` : `${braces[0]}${braces[1]}`;
  }
  const length = output.reduce((sum, entry) => sum + entry.length + 2, head.length + ctx.indentation + 2);
  const nested = ctx.currentDepth - recurseTimes;
  if (nested < 3 && length <= ctx.breakLength && !output.some((e) => e.includes("\n")) && !base.includes("\n")) {
    return `${head} ${output.join(", ")} ${braces[1]}`;
  }
  const indent = " ".repeat(ctx.indentation);
  return `${head}\n${indent}  ${output.join(`,\n${indent}  `)}\n${indent}${braces[1]}`;
}

if (typeof internal === "object") {
  internal.inspect = inspect;
}
