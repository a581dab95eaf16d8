// The LOADER binding: env.LOADER.get, env.LOADER.load and the stubs they
// return. The script evaluates to a factory of one binding object from the
// Go natives of that binding. Argument checks and their messages follow
// workerd's.
(function () {
  "use strict";

  function setTag(cls, tag) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  }

  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }

  // toError returns what the caller sees for a value getCode threw: an
  // Error as it is, and any other value wrapped in an Error with the
  // message V8 prints for it.
  function toError(native, v) {
    return v instanceof Error ? v : new Error(native.thrownMessage(v));
  }

  function entrypointStub(native, handle, name, props) {
    return new Proxy({}, {
      get(_, key) {
        if (key === Symbol.toStringTag) {
          return "Fetcher";
        }
        if (typeof key !== "string" || key === "then") {
          return undefined;
        }
        if (key === "fetch") {
          return (input, init) => {
            const request = new Request(input, init);
            return handle.then((h) => native.fetch(h, name, props, request));
          };
        }
        return (...args) => handle.then((h) => native.call(h, name, props, key, args));
      },
    });
  }

  class WorkerStub {
    #native;
    #handle;

    constructor(native, handle) {
      // A failed load surfaces on each call, so the promise itself must not
      // count as an unhandled rejection.
      handle.catch(() => {});
      this.#native = native;
      this.#handle = handle;
    }

    getEntrypoint(name, options) {
      if (options !== undefined && options !== null && !isObject(options)) {
        throw new TypeError("Failed to execute 'getEntrypoint' on 'WorkerStub': parameter 2 is not of type 'EntrypointOptions'.");
      }
      let props;
      if (isObject(options) && options.props !== undefined) {
        if (!isObject(options.props)) {
          throw new TypeError("Incorrect type for the 'props' field on 'EntrypointOptions': the provided value is not of type 'Object'.");
        }
        // Props are cloned now, so an uncloneable value throws here, as in
        // workerd, and later changes to the object do not reach the worker.
        props = this.#native.cloneProps(options.props);
      }
      const key = name === undefined || name === null || name === "default" ? "" : String(name);
      return entrypointStub(this.#native, this.#handle, key, props);
    }

    getDurableObjectClass() {
      throw new Error("getDurableObjectClass is not supported by dynworker yet");
    }
  }
  setTag(WorkerStub, "WorkerStub");

  // callGetCode runs getCode and checks the type of what it returns, with
  // workerd's messages: a WorkerCode object, or a promise of one.
  async function callGetCode(native, getCode) {
    let result;
    try {
      result = getCode();
    } catch (e) {
      throw toError(native, e);
    }
    if (result instanceof Promise) {
      let code;
      try {
        code = await result;
      } catch (e) {
        throw toError(native, e);
      }
      if (code !== undefined && code !== null && !isObject(code)) {
        throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'WorkerCode'.");
      }
      return code;
    }
    if (result !== undefined && result !== null && !isObject(result)) {
      throw new TypeError("Callback returned incorrect type; expected 'Promise'");
    }
    return result;
  }

  async function loadNamed(native, id, getCode) {
    const found = await native.lookup(id);
    if (found.handle) {
      return found.handle;
    }
    let code;
    try {
      code = await withCodeTimeout(native, id, callGetCode(native, getCode));
    } catch (e) {
      native.fail(found.token, e);
      throw e;
    }
    return native.provide(found.token, code);
  }

  // withCodeTimeout rejects when getCode has not settled within the time
  // the supervisor allows, with the error the supervisor gives later callers.
  function withCodeTimeout(native, id, promise) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`the getCode callback for worker "${id}" did not return within ${native.codeTimeoutText}`));
      }, native.codeTimeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  async function loadAnonymous(native, getCode) {
    return native.load(await callGetCode(native, getCode));
  }

  class WorkerLoader {
    #native;

    constructor(native) {
      this.#native = native;
    }

    get(id, getCode) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to execute 'get' on 'WorkerLoader': parameter 1 is not of type 'string'.");
      }
      if (typeof getCode !== "function") {
        throw new TypeError("Failed to execute 'get' on 'WorkerLoader': parameter 2 is not of type 'function'.");
      }
      if (id === null || id === undefined) {
        return new WorkerStub(this.#native, loadAnonymous(this.#native, getCode));
      }
      return new WorkerStub(this.#native, loadNamed(this.#native, String(id), getCode));
    }

    load(code) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to execute 'load' on 'WorkerLoader': parameter 1 is not of type 'WorkerCode'.");
      }
      return new WorkerStub(this.#native, this.#native.load(code));
    }
  }
  setTag(WorkerLoader, "WorkerLoader");

  return function makeLoader(native) {
    return new WorkerLoader(native);
  };
})()
