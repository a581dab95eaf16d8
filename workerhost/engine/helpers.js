// Internal functions of the engine: dispatch of invocations to entrypoints.
// The script evaluates to an object; workers never see it.
(function () {
  "use strict";

  // Intrinsics are read once, before any worker code runs, so a worker that
  // replaces them cannot change how the engine dispatches.
  const hasOwn = Object.hasOwn;
  const objectPrototype = Object.prototype;

  // noArgs are the arguments of an RPC call without any. The call helper
  // only reads its args, so all such calls can share it.
  const noArgs = Object.freeze([]);

  function entrypoint(exports, name) {
    const key = name === "" ? "default" : name;
    const value = hasOwn(exports, key) ? exports[key] : undefined;
    if (value === undefined || value === null || (typeof value !== "object" && !isClass(value))) {
      throw new Error(`Worker has no such entrypoint: ${key}`);
    }
    return value;
  }

  function isClass(value) {
    return typeof value === "function" && typeof value.prototype === "object" && value.prototype !== null;
  }

  // ctxMethods are the methods of every ctx. They are methods, not
  // closures over one ctx, so that making a ctx creates no functions.
  const ctxMethods = {
    waitUntil(promise) {
      Promise.resolve(promise).catch(() => {});
    },
    passThroughOnException() {},
  };

  function makeCtx(props, exports) {
    return {
      props: props === undefined ? {} : props,
      exports: exports,
      waitUntil: ctxMethods.waitUntil,
      passThroughOnException: ctxMethods.passThroughOnException,
    };
  }

  function fetch(exports, name, request, env, props, ctxExports) {
    const ctx = makeCtx(props, ctxExports);
    const ep = entrypoint(exports, name);
    const isInstance = isClass(ep);
    const target = isInstance ? new ep(ctx, env) : ep;
    if (typeof target.fetch !== "function") {
      throw new Error("Handler does not export a fetch() function.");
    }
    const result = isInstance ? target.fetch(request) : target.fetch(request, env, ctx);
    // workerd takes a Response or a promise; invoke checks what a promise
    // resolves to.
    if (!(result instanceof Promise) && !(result instanceof Response)) {
      throw new TypeError("Callback returned incorrect type; expected 'Promise'");
    }
    return result;
  }

  function call(exports, name, method, args = noArgs, env, props, ctxExports) {
    const ctx = makeCtx(props, ctxExports);
    const ep = entrypoint(exports, name);
    const isInstance = isClass(ep);
    const target = isInstance ? new ep(ctx, env) : ep;
    const fn = method === "constructor" ? undefined : target[method];
    if (typeof fn !== "function" || hasOwn(objectPrototype, method) || (isInstance && hasOwn(target, method))) {
      throw new TypeError(`The RPC receiver does not implement the method "${method}".`);
    }
    if (isInstance) {
      return fn.apply(target, args);
    }
    if (args.length !== 1) {
      throw new TypeError(`Attempted to call RPC function "${method}" with the wrong number of arguments. ` +
        "When calling a top-level handler function that is not declared as part of a class, you must always " +
        "send exactly one argument. In order to support variable numbers of arguments, the server must use " +
        "class-based syntax (extending WorkerEntrypoint) instead.");
    }
    return fn.call(target, args[0], env, ctx);
  }

  function test(exports, name, env, props, ctxExports) {
    const ctx = makeCtx(props, ctxExports);
    const ep = entrypoint(exports, name);
    const isInstance = isClass(ep);
    const target = isInstance ? new ep(ctx, env) : ep;
    if (typeof target.test !== "function") {
      throw new TypeError("Handler does not export a test() function.");
    }
    return isInstance ? target.test({}) : target.test({}, env, ctx);
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

  // resolved is a promise fulfilled before any worker code runs.
  const resolved = Promise.resolve();

  // settle waits for the value an invocation returned and then calls
  // fulfilled(id, result) or rejected(id, reason). It takes as many microtask
  // turns as Promise.resolve(value).then() would. goja's await attaches its
  // continuation without function objects and creates no derived promise,
  // and a primitive awaits resolved, which allocates no promise for it.
  async function settle(value, id, fulfilled, rejected) {
    let result = value;
    if ((typeof value === "object" && value !== null) || typeof value === "function") {
      try {
        result = await value;
      } catch (err) {
        rejected(id, err);
        return;
      }
    } else {
      await resolved;
    }
    fulfilled(id, result);
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
    fetch, call, test, describe, settle, errorInfo, errorValueInfo, thrownMessage,
    mapEntries, setValues, isPlainObject, constructorName, typeTag, viewInfo, regExpInfo,
  };
})()
