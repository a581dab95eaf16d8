// Internal functions of the engine: dispatch of invocations to entrypoints.
// The script evaluates to an object; workers never see it.
(function () {
  "use strict";

  function entrypoint(exports, name) {
    const key = name === "" ? "default" : name;
    const value = Object.prototype.hasOwnProperty.call(exports, key) ? exports[key] : undefined;
    if (value === undefined || value === null || (typeof value !== "object" && !isClass(value))) {
      throw new Error(`Worker has no such entrypoint: ${key}`);
    }
    return value;
  }

  function isClass(value) {
    return typeof value === "function" && typeof value.prototype === "object" && value.prototype !== null;
  }

  function makeCtx(props, exports) {
    const pending = [];
    return {
      props: props === undefined ? {} : props,
      exports: exports,
      waitUntil(promise) {
        pending.push(Promise.resolve(promise).catch(() => {}));
      },
      passThroughOnException() {},
    };
  }

  function receiver(ep, env, ctx) {
    if (isClass(ep)) {
      return { target: new ep(ctx, env), isClass: true };
    }
    return { target: ep, isClass: false };
  }

  function fetch(exports, name, request, env, ctx) {
    const r = receiver(entrypoint(exports, name), env, ctx);
    if (typeof r.target.fetch !== "function") {
      throw new Error("Handler does not export a fetch() function.");
    }
    const result = r.isClass ? r.target.fetch(request) : r.target.fetch(request, env, ctx);
    // workerd takes a Response or a promise; invoke checks what a promise
    // resolves to.
    if (!(result instanceof Promise) && !(result instanceof Response)) {
      throw new TypeError("Callback returned incorrect type; expected 'Promise'");
    }
    return result;
  }

  function call(exports, name, method, args, env, ctx) {
    const r = receiver(entrypoint(exports, name), env, ctx);
    const fn = method === "constructor" ? undefined : r.target[method];
    if (typeof fn !== "function" || Object.prototype.hasOwnProperty.call(Object.prototype, method) ||
        (r.isClass && Object.prototype.hasOwnProperty.call(r.target, method))) {
      throw new TypeError(`The RPC receiver does not implement the method "${method}".`);
    }
    if (r.isClass) {
      return fn.apply(r.target, args);
    }
    if (args.length !== 1) {
      throw new TypeError(`Attempted to call RPC function "${method}" with the wrong number of arguments. ` +
        "When calling a top-level handler function that is not declared as part of a class, you must always " +
        "send exactly one argument. In order to support variable numbers of arguments, the server must use " +
        "class-based syntax (extending WorkerEntrypoint) instead.");
    }
    return fn.call(r.target, args[0], env, ctx);
  }

  function test(exports, name, env, ctx) {
    const r = receiver(entrypoint(exports, name), env, ctx);
    if (typeof r.target.test !== "function") {
      throw new TypeError("Handler does not export a test() function.");
    }
    return r.isClass ? r.target.test({}) : r.target.test({}, env, ctx);
  }

  function describe(exports) {
    const list = [];
    for (const name of Object.keys(exports)) {
      const value = exports[name];
      if (typeof value !== "function" && (value === null || typeof value !== "object")) {
        throw new TypeError(`Incorrect type for map entry '${name}': the provided value is not of type 'function or ExportedHandler'.`);
      }
      if (isClass(value)) {
        list.push({ name, handlers: [], isClass: true });
      } else if (value !== null && typeof value === "object") {
        const handlers = Object.keys(value).filter((k) => typeof value[k] === "function");
        list.push({ name, handlers, isClass: false });
      }
    }
    return list;
  }

  function settle(value, onFulfilled, onRejected) {
    Promise.resolve(value).then(onFulfilled, onRejected);
  }

  // errorInfo describes a thrown value. A value that is not an Error
  // becomes an Error whose message is what V8 prints for it: String(v) for
  // primitives, "#<Foo>" for an object whose toString is
  // Object.prototype.toString, and the [object Tag] form for other objects.
  function errorInfo(e) {
    if (e instanceof Error) {
      return {
        name: String(e.name === undefined ? "Error" : e.name),
        message: String(e.message === undefined ? "" : e.message),
        stack: typeof e.stack === "string" ? e.stack : "",
      };
    }
    return { name: "Error", message: thrownMessage(e), stack: "" };
  }

  function thrownMessage(v) {
    if ((typeof v !== "object" || v === null) && typeof v !== "function") {
      return String(v);
    }
    if (v.toString === Object.prototype.toString && typeof v.constructor === "function" && v.constructor.name) {
      return `#<${v.constructor.name}>`;
    }
    return Object.prototype.toString.call(v);
  }

  // serializableErrorNames are the error classes that V8's structured clone
  // keeps. It turns an Error with any other name, such as an AggregateError
  // or a subclass, into a plain Error with the same message.
  const serializableErrorNames = new Set(["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"]);

  // errorValueInfo describes an Error passed as a value, not thrown.
  function errorValueInfo(e) {
    const info = errorInfo(e);
    if ("cause" in e) {
      info.hasCause = true;
      info.cause = e.cause;
    }
    if (!(e instanceof DOMException) && !serializableErrorNames.has(info.name)) {
      info.name = "Error";
    }
    return info;
  }

  function mapEntries(m) {
    return Array.from(m.entries());
  }

  function setValues(s) {
    return Array.from(s.values());
  }

  function isPlainObject(o) {
    const proto = Object.getPrototypeOf(o);
    return proto === Object.prototype || proto === null;
  }

  // typeTag returns the built-in class of o that structured clone treats
  // specially, or "Object". Subclasses count as their built-in class.
  function typeTag(o) {
    if (o instanceof Map) return "Map";
    if (o instanceof Set) return "Set";
    if (o instanceof Date) return "Date";
    if (o instanceof Error) return "Error";
    if (o instanceof RegExp) return "RegExp";
    if (o instanceof ArrayBuffer) return "ArrayBuffer";
    if (ArrayBuffer.isView(o)) {
      return Object.getPrototypeOf(o) === Uint8Array.prototype ? "Uint8Array" : "TypedArray";
    }
    return "Object";
  }

  // viewInfo returns the constructor name and a Uint8Array over the bytes
  // of an ArrayBuffer view.
  function viewInfo(v) {
    const type = Object.prototype.toString.call(v).slice(8, -1);
    return { type, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
  }

  function regExpInfo(r) {
    return { source: r.source, flags: r.flags };
  }

  function constructorName(o) {
    const proto = Object.getPrototypeOf(o);
    return proto && proto.constructor && proto.constructor.name ? proto.constructor.name : "Object";
  }

  return {
    fetch, call, test, describe, makeCtx, settle, errorInfo, errorValueInfo, thrownMessage,
    mapEntries, setValues, isPlainObject, constructorName, typeTag, viewInfo, regExpInfo,
  };
})()
