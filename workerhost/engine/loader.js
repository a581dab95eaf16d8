// The LOADER binding: env.LOADER.get, env.LOADER.load and the stubs they
// return. The script evaluates to a factory of one binding object from the
// Go natives of that binding.
(function () {
  "use strict";

  function entrypointStub(native, handle, name, options) {
    const props = options && options.props;
    const target = {};
    return new Proxy(target, {
      get(_, key) {
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

  function workerStub(native, handle) {
    // A failed load surfaces on each call, so the promise itself must not
    // count as an unhandled rejection.
    handle.catch(() => {});
    return {
      getEntrypoint(name, options) {
        const key = name === undefined || name === null || name === "default" ? "" : String(name);
        return entrypointStub(native, handle, key, options);
      },
      getDurableObjectClass() {
        throw new Error("getDurableObjectClass is not supported by dynworker yet");
      },
    };
  }

  async function loadNamed(native, id, getCode) {
    const found = await native.lookup(id);
    if (found.handle) {
      return found.handle;
    }
    let code;
    try {
      code = await getCode();
    } catch (e) {
      native.fail(found.token, e);
      throw e;
    }
    return native.provide(found.token, code);
  }

  async function loadAnonymous(native, getCode) {
    return native.load(await getCode());
  }

  return function makeLoader(native) {
    return {
      get(id, getCode) {
        if (typeof getCode !== "function") {
          throw new TypeError("LOADER.get() requires a callback that returns the worker's code.");
        }
        if (id === null || id === undefined) {
          return workerStub(native, loadAnonymous(native, getCode));
        }
        return workerStub(native, loadNamed(native, String(id), getCode));
      },
      load(code) {
        return workerStub(native, native.load(code));
      },
    };
  };
})()
