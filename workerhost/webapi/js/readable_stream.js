// The public ReadableStream, ReadableStreamDefaultReader and
// ReadableStreamDefaultController classes over the state in readable.js.

const { defineGlobal, setToStringTag, kCreate, lockedMessage, StreamState, ReaderState, assign } = internal;

function setUpFromSource(state, source, strategy) {
  const type = source.type === undefined ? undefined : String(source.type);
  if (type !== undefined && type !== "bytes") {
    throw new RangeError(`Invalid type: ${type}`);
  }
  state.isBytes = type === "bytes";

  if (strategy.size !== undefined) {
    if (state.isBytes) {
      throw new RangeError("The size function of a queuing strategy cannot be used with a byte stream.");
    }
    const size = strategy.size;
    state.sizeOf = (chunk) => size(chunk);
  }
  let hwm = state.isBytes ? 0 : 1;
  if (strategy.highWaterMark !== undefined) {
    hwm = Number(strategy.highWaterMark);
  }
  if (Number.isNaN(hwm) || hwm < 0) {
    throw new RangeError("The highWaterMark of a queuing strategy must be a non-negative number.");
  }
  state.highWaterMark = hwm;

  for (const name of ["start", "pull", "cancel"]) {
    if (source[name] !== undefined && typeof source[name] !== "function") {
      throw new TypeError(`The underlying source's ${name} must be a function.`);
    }
  }
  if (source.pull !== undefined) {
    state.pullSource = (controller) => source.pull.call(source, controller);
  }
  if (source.cancel !== undefined) {
    state.cancelSource = (reason) => source.cancel.call(source, reason);
  }

  state.controller = new ReadableStreamDefaultController(kCreate, state);
  const startResult = source.start === undefined ? undefined : source.start.call(source, state.controller);
  Promise.resolve(startResult).then(() => {
    state.started = true;
    state.callPullIfNeeded();
  }, (err) => state.error(err));
}

class ReadableStreamDefaultController {
  #state;

  constructor(key, state) {
    if (key !== kCreate) {
      throw new TypeError("Illegal constructor");
    }
    this.#state = state;
  }

  get desiredSize() {
    return this.#state.desiredSize();
  }

  // byobRequest is always null because BYOB reads are not supported.
  get byobRequest() {
    return null;
  }

  close() {
    if (!this.#state.canCloseOrEnqueue()) {
      throw new TypeError("This ReadableStream is closed.");
    }
    this.#state.close();
  }

  enqueue(chunk) {
    const state = this.#state;
    if (!state.canCloseOrEnqueue()) {
      throw new TypeError("This ReadableStream is closed.");
    }
    if (state.isBytes && !ArrayBuffer.isView(chunk)) {
      throw new TypeError("The chunk of a byte stream must be an ArrayBufferView.");
    }
    state.enqueue(chunk);
  }

  error(reason) {
    this.#state.error(reason);
  }
}
setToStringTag(ReadableStreamDefaultController);

class ReadableStream {
  #state;

  constructor(source = undefined, strategy = undefined) {
    this.#state = new StreamState();
    this.#state.stream = this;
    if (source === null) {
      throw new TypeError("The underlying source must be an object.");
    }
    setUpFromSource(this.#state, source === undefined ? {} : Object(source), strategy == null ? {} : strategy);
  }

  get locked() {
    return this.#state.reader !== null;
  }

  cancel(reason) {
    if (this.#state.reader !== null) {
      return Promise.reject(new TypeError(lockedMessage));
    }
    return this.#state.cancel(reason);
  }

  getReader(options = undefined) {
    const mode = options == null ? undefined : options.mode;
    if (mode !== undefined) {
      if (String(mode) !== "byob") {
        throw new RangeError("mode must be undefined or 'byob' in call to getReader().");
      }
      // TODO: BYOB readers are not implemented; workerd supports them on byte streams.
      throw new TypeError("This ReadableStream does not support BYOB reads.");
    }
    return new ReadableStreamDefaultReader(this);
  }

  values(options = undefined) {
    const preventCancel = Boolean(options && options.preventCancel);
    return new ReadableStreamAsyncIterator(kCreate, new ReaderState(this.#state), preventCancel);
  }

  [Symbol.asyncIterator](options = undefined) {
    return this.values(options);
  }

  static {
    // streamState returns the StreamState of a ReadableStream, or undefined for
    // any other value.
    internal.streamState = (value) => {
      if (value === null || typeof value !== "object" || !(#state in value)) {
        return undefined;
      }
      return value.#state;
    };
  }
}
setToStringTag(ReadableStream);

class ReadableStreamDefaultReader {
  #reader;

  constructor(stream) {
    const state = internal.streamState(stream);
    if (state === undefined) {
      throw new TypeError("ReadableStreamDefaultReader requires a ReadableStream.");
    }
    this.#reader = new ReaderState(state);
  }

  get closed() {
    return this.#reader.closed;
  }

  read() {
    return this.#reader.read();
  }

  cancel(reason) {
    return this.#reader.cancel(reason);
  }

  releaseLock() {
    this.#reader.release();
  }
}
setToStringTag(ReadableStreamDefaultReader);

class ReadableStreamAsyncIterator {
  #reader;
  #preventCancel;
  #done = false;

  constructor(key, reader, preventCancel) {
    if (key !== kCreate) {
      throw new TypeError("Illegal constructor");
    }
    this.#reader = reader;
    this.#preventCancel = preventCancel;
  }

  next() {
    if (this.#done) {
      return Promise.resolve({ value: undefined, done: true });
    }
    return this.#reader.read().then((result) => {
      if (result.done) {
        this.#finish();
      }
      return result;
    }, (err) => {
      this.#finish();
      throw err;
    });
  }

  return(value) {
    if (this.#done) {
      return Promise.resolve({ value, done: true });
    }
    const reader = this.#reader;
    const cancelled = this.#preventCancel || reader.stream === null ? Promise.resolve() : reader.cancel(value);
    this.#finish();
    return cancelled.then(() => ({ value, done: true }));
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  #finish() {
    this.#done = true;
    this.#reader.release();
  }
}
setToStringTag(ReadableStreamAsyncIterator, "ReadableStream AsyncIterator");

defineGlobal("ReadableStream", ReadableStream);
defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);

assign(internal, { ReadableStream });
