// TransformStream, after the WHATWG Streams standard: a writable side whose
// chunks go through transformer.transform (the identity by default) to a
// readable side, with backpressure from the readable side to writers.

const { defineGlobal, setToStringTag, kCreate, deferred, markHandled, ReadableStream, WritableStream } = internal;

class TransformStreamDefaultController {
  #ops;

  constructor(key, ops) {
    if (key !== kCreate) {
      throw new TypeError("Illegal constructor");
    }
    this.#ops = ops;
  }

  get desiredSize() {
    return this.#ops.desiredSize();
  }

  enqueue(chunk) {
    this.#ops.enqueue(chunk);
  }

  error(reason) {
    this.#ops.error(reason);
  }

  terminate() {
    this.#ops.terminate();
  }
}
setToStringTag(TransformStreamDefaultController);

function callMethod(object, name, ...args) {
  const method = object[name];
  if (method === undefined) {
    return Promise.resolve();
  }
  if (typeof method !== "function") {
    return Promise.reject(new TypeError(`The transformer's ${name} must be a function.`));
  }
  try {
    return Promise.resolve(method.apply(object, args));
  } catch (err) {
    return Promise.reject(err);
  }
}

class TransformStream {
  #readable;
  #writable;

  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    const t = transformer == null ? {} : Object(transformer);
    if (t.readableType !== undefined || t.writableType !== undefined) {
      throw new RangeError("readableType and writableType must be undefined.");
    }
    const started = deferred();
    let readableController;
    let readableState;
    let writableState;
    let backpressure = true;
    let backpressureChange = deferred();
    const setBackpressure = (value) => {
      backpressureChange.resolve();
      backpressureChange = deferred();
      backpressure = value;
    };
    const errorBoth = (reason) => {
      readableController.error(reason);
      writableState.error(reason);
      if (backpressure) {
        setBackpressure(false);
      }
    };
    const controller = new TransformStreamDefaultController(kCreate, {
      desiredSize: () => readableController.desiredSize,
      enqueue: (chunk) => {
        readableController.enqueue(chunk);
        if (readableController.desiredSize <= 0 && !backpressure) {
          setBackpressure(true);
        }
      },
      error: errorBoth,
      terminate: () => {
        if (readableState.canCloseOrEnqueue()) {
          readableController.close();
        }
        errorBoth(new TypeError("The transform stream has been terminated."));
      },
    });
    const transform = (chunk) => {
      let result;
      if (t.transform === undefined) {
        result = callMethod(controller, "enqueue", chunk);
      } else {
        result = callMethod(t, "transform", chunk, controller);
      }
      return result.catch((err) => {
        errorBoth(err);
        throw err;
      });
    };

    this.#readable = new ReadableStream({
      start: (c) => {
        readableController = c;
        return started.promise;
      },
      pull: () => {
        setBackpressure(false);
        return backpressureChange.promise;
      },
      cancel: (reason) => {
        errorBoth(reason);
        return callMethod(t, "cancel", reason);
      },
    }, readableStrategy == null ? { highWaterMark: 0 } : readableStrategy);
    this.#writable = new WritableStream({
      start: () => started.promise,
      write: (chunk) => {
        if (!backpressure) {
          return transform(chunk);
        }
        return backpressureChange.promise.then(() => {
          if (writableState.state === "errored") {
            throw writableState.storedError;
          }
          return transform(chunk);
        });
      },
      close: () => callMethod(t, "flush", controller).then(() => {
        if (readableState.canCloseOrEnqueue()) {
          readableController.close();
        }
      }, (err) => {
        errorBoth(err);
        throw err;
      }),
      abort: (reason) => {
        readableController.error(reason);
      },
    }, writableStrategy == null ? { highWaterMark: 1 } : writableStrategy);
    readableState = internal.streamState(this.#readable);
    writableState = internal.writableState(this.#writable);
    markHandled(started.promise);
    callMethod(t, "start", controller).then(started.resolve, started.reject);
  }

  get readable() {
    return this.#readable;
  }

  get writable() {
    return this.#writable;
  }
}
setToStringTag(TransformStream);

// IdentityTransformStream is workerd's name for a TransformStream that passes
// chunks through unchanged.
class IdentityTransformStream extends TransformStream {
  constructor(options = undefined) {
    const hasMark = options && options.highWaterMark !== undefined;
    super(undefined, undefined, hasMark ? { highWaterMark: options.highWaterMark } : undefined);
  }
}

defineGlobal("TransformStream", TransformStream);
defineGlobal("TransformStreamDefaultController", TransformStreamDefaultController);
defineGlobal("IdentityTransformStream", IdentityTransformStream);
