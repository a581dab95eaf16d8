// Errors thrown by an RPC method of a dynamic worker, as the caller sees
// them: the class and message survive for built-in error types, the call
// rejects (never throws), and the error carries remote: true.
import assert from "node:assert";

const source = `
import { WorkerEntrypoint } from "cloudflare:workers";
class MyError extends Error {
  constructor(message) {
    super(message);
    this.name = "MyError";
    this.custom = 7;
  }
}
export default class extends WorkerEntrypoint {
  typeError() { throw new TypeError("bad input"); }
  rangeError() { throw new RangeError("out of range"); }
  referenceError() { return undefinedVariable; }
  evalError() { throw new EvalError("eval"); }
  uriError() { throw new URIError("uri"); }
  aggregateError() { throw new AggregateError([new Error("a")], "agg"); }
  async asyncSyntaxError() { await null; throw new SyntaxError("async syntax"); }
  custom() { throw new MyError("mine"); }
  withCause() { throw new Error("outer", { cause: new Error("inner") }); }
  emptyMessage() { throw new Error(); }
  domException() { throw new DOMException("dom msg", "AbortError"); }
  dataCloneError() { throw new DOMException("clone msg", "DataCloneError"); }
  string() { throw "plain string"; }
  number() { throw 42; }
  undefinedValue() { throw undefined; }
  plainObject() { throw { code: 1 }; }
  classInstance() { throw new (class Foo {})(); }
  returned() { return new TypeError("returned, not thrown"); }
}`;

function worker(env) {
  return env.LOADER.load({ compatibilityDate: "2025-06-01", mainModule: "main.js", modules: { "main.js": source } }).getEntrypoint();
}

// expectRemote checks that promise rejects with an instance of ctor with
// the given message and remote: true.
async function expectRemote(promise, ctor, message) {
  await assert.rejects(promise, (e) => {
    assert.strictEqual(e.constructor, ctor);
    assert.strictEqual(e.name, ctor.name);
    assert.strictEqual(e.message, message);
    assert.strictEqual(e.remote, true);
    assert.ok(Object.hasOwn(e, "remote"));
    return true;
  });
}

export const builtinErrorTypes = {
  async test(ctrl, env) {
    const ep = worker(env);
    await expectRemote(ep.typeError(), TypeError, "bad input");
    await expectRemote(ep.rangeError(), RangeError, "out of range");
    await expectRemote(ep.referenceError(), ReferenceError, "undefinedVariable is not defined");
    await expectRemote(ep.evalError(), EvalError, "eval");
    await expectRemote(ep.uriError(), URIError, "uri");
    await expectRemote(ep.asyncSyntaxError(), SyntaxError, "async syntax");
    await expectRemote(ep.emptyMessage(), Error, "");
  },
};

export const aggregateErrorThrown = {
  async test(ctrl, env) {
    await expectRemote(worker(env).aggregateError(), AggregateError, "agg");
  },
};

export const customErrorClass = {
  async test(ctrl, env) {
    await assert.rejects(worker(env).custom(), (e) => {
      assert.strictEqual(e.constructor, Error);
      assert.strictEqual(e.name, "Error");
      assert.strictEqual(e.message, "MyError: mine");
      assert.strictEqual(e.custom, undefined);
      assert.strictEqual(e.remote, true);
      return true;
    });
  },
};

export const causeDropped = {
  async test(ctrl, env) {
    await assert.rejects(worker(env).withCause(), (e) => {
      assert.strictEqual(e.message, "outer");
      assert.strictEqual(e.cause, undefined);
      return true;
    });
  },
};

export const domExceptions = {
  async test(ctrl, env) {
    const ep = worker(env);
    await assert.rejects(ep.domException(), (e) => {
      assert.ok(e instanceof DOMException);
      assert.strictEqual(e.name, "AbortError");
      assert.strictEqual(e.message, "dom msg");
      assert.strictEqual(e.code, 20);
      assert.strictEqual(e.remote, true);
      return true;
    });
    await assert.rejects(ep.dataCloneError(), (e) => {
      assert.ok(e instanceof DOMException);
      assert.strictEqual(e.name, "DataCloneError");
      assert.strictEqual(e.code, 25);
      return true;
    });
  },
};

export const nonErrorValues = {
  async test(ctrl, env) {
    const ep = worker(env);
    await expectRemote(ep.string(), Error, "plain string");
    await expectRemote(ep.number(), Error, "42");
    await expectRemote(ep.undefinedValue(), Error, "undefined");
    await expectRemote(ep.plainObject(), Error, "#<Object>");
    await expectRemote(ep.classInstance(), Error, "#<Foo>");
  },
};

export const returnedErrorIsValue = {
  async test(ctrl, env) {
    const value = await worker(env).returned();
    assert.strictEqual(value.constructor, TypeError);
    assert.strictEqual(value.message, "returned, not thrown");
    assert.strictEqual(value.remote, undefined);
  },
};

export const stackStartsWithMessage = {
  async test(ctrl, env) {
    await assert.rejects(worker(env).typeError(), (e) => {
      assert.strictEqual(typeof e.stack, "string");
      assert.strictEqual(e.stack.split("\n")[0], "TypeError: bad input");
      return true;
    });
  },
};
