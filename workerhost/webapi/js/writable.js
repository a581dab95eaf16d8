// WritableStream, its default writer and controller, after the WHATWG Streams
// standard, with enough of it for TransformStream and pipeTo().
// NOTE: abort() calls the sink's abort at once instead of first waiting for a
// write in progress, as the standard does.

const { defineGlobal, setToStringTag, markHandled, kCreate, promiseCall, assign } = internal;

const writerLockedMessage = "This WritableStream is currently locked to a writer.";
const writerReleasedMessage = "This WritableStream writer has been released.";
const writableClosedMessage = "This WritableStream has been closed.";

// deferred returns a promise with its resolve and reject functions. The promise
// never counts as an unhandled rejection.
function deferred() {
  const record = {};
  record.promise = markHandled(new Promise((resolve, reject) => {
    record.resolve = resolve;
    record.reject = reject;
  }));
  return record;
}

// WritableState is the internal side of one WritableStream.
class WritableState {
  state = "writable"; // "writable", "closed" or "errored"
  storedError = undefined;
  writer = null; // the writer that locks the stream, with ready and closed records
  queue = []; // {chunk, size, resolve, reject}, or {close: true, resolve, reject}
  queueSize = 0;
  inFlight = false;
  closeRequested = false;
  started = false;
  backpressure = false;
  highWaterMark = 1;
  sizeOf = () => 1;
  sink = {};
  controller = null;
  abortController = new AbortController();

  desiredSize() {
    if (this.state === "errored") {
      return null;
    }
    return this.state === "closed" ? 0 : this.highWaterMark - this.queueSize;
  }

  write(chunk) {
    if (this.state === "errored") {
      return Promise.reject(this.storedError);
    }
    if (this.state === "closed" || this.closeRequested) {
      return Promise.reject(new TypeError(writableClosedMessage));
    }
    let size;
    try {
      size = Number(this.sizeOf(chunk));
    } catch (err) {
      this.error(err);
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ chunk, size, resolve, reject });
      this.queueSize += size;
      this.updateBackpressure();
      this.advance();
    });
  }

  close() {
    if (this.state === "errored") {
      return Promise.reject(this.storedError);
    }
    if (this.state === "closed" || this.closeRequested) {
      return Promise.reject(new TypeError(writableClosedMessage));
    }
    this.closeRequested = true;
    if (this.writer !== null && this.backpressure) {
      this.writer.ready.resolve();
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ close: true, resolve, reject });
      this.advance();
    });
  }

  abort(reason) {
    if (this.state !== "writable") {
      return Promise.resolve();
    }
    this.abortController.abort(reason);
    this.error(reason);
    const abort = this.sink.abort;
    if (typeof abort !== "function") {
      return Promise.resolve();
    }
    return promiseCall((r) => abort.call(this.sink, r), reason).then(() => undefined);
  }

  error(err) {
    if (this.state !== "writable") {
      return;
    }
    this.state = "errored";
    this.storedError = err;
    const pending = this.queue.splice(this.inFlight ? 1 : 0);
    for (const record of pending) {
      record.reject(err);
    }
    if (this.writer !== null) {
      // Reject a pending ready promise, and replace one that already resolved.
      this.writer.ready.reject(err);
      this.writer.ready = deferred();
      this.writer.ready.reject(err);
      this.writer.closed.reject(err);
    }
  }

  updateBackpressure() {
    const backpressure = this.desiredSize() <= 0 && !this.closeRequested;
    if (backpressure === this.backpressure || this.state !== "writable") {
      return;
    }
    this.backpressure = backpressure;
    if (this.writer !== null) {
      if (backpressure) {
        this.writer.ready = deferred();
      } else {
        this.writer.ready.resolve();
      }
    }
  }

  advance() {
    if (!this.started || this.inFlight || this.queue.length === 0 || this.state !== "writable") {
      return;
    }
    const record = this.queue[0];
    this.inFlight = true;
    const call = record.close
      ? promiseCall(() => this.sink.close && this.sink.close.call(this.sink))
      : promiseCall(() => this.sink.write && this.sink.write.call(this.sink, record.chunk, this.controller));
    call.then(() => this.finishRecord(record), (err) => {
      this.queue.shift();
      this.inFlight = false;
      record.reject(err);
      this.error(err);
    });
  }

  finishRecord(record) {
    this.queue.shift();
    this.inFlight = false;
    record.resolve();
    if (this.state !== "writable") {
      return;
    }
    if (record.close) {
      this.state = "closed";
      if (this.writer !== null) {
        this.writer.closed.resolve();
      }
      return;
    }
    this.queueSize -= record.size;
    this.updateBackpressure();
    this.advance();
  }
}

class WritableStreamDefaultController {
  #state;

  constructor(key, state) {
    if (key !== kCreate) {
      throw new TypeError("Illegal constructor");
    }
    this.#state = state;
  }

  get signal() {
    return this.#state.abortController.signal;
  }

  error(reason) {
    this.#state.error(reason);
  }
}
setToStringTag(WritableStreamDefaultController);

class WritableStream {
  #state = new WritableState();

  constructor(sink = undefined, strategy = undefined) {
    const state = this.#state;
    state.sink = sink == null ? {} : Object(sink);
    const options = strategy == null ? {} : strategy;
    state.highWaterMark = options.highWaterMark === undefined ? 1 : Number(options.highWaterMark);
    if (Number.isNaN(state.highWaterMark) || state.highWaterMark < 0) {
      throw new RangeError("The highWaterMark of a queuing strategy must be a non-negative number.");
    }
    if (options.size !== undefined) {
      const size = options.size;
      state.sizeOf = (chunk) => size(chunk);
    }
    state.controller = new WritableStreamDefaultController(kCreate, state);
    state.updateBackpressure();
    const start = state.sink.start;
    const started = typeof start === "function" ? start.call(state.sink, state.controller) : undefined;
    Promise.resolve(started).then(() => {
      state.started = true;
      state.advance();
    }, (err) => state.error(err));
  }

  get locked() {
    return this.#state.writer !== null;
  }

  getWriter() {
    return new internal.WritableStreamDefaultWriter(this);
  }

  abort(reason) {
    if (this.#state.writer !== null) {
      return Promise.reject(new TypeError(writerLockedMessage));
    }
    return this.#state.abort(reason);
  }

  close() {
    if (this.#state.writer !== null) {
      return Promise.reject(new TypeError(writerLockedMessage));
    }
    return this.#state.close();
  }

  static {
    internal.writableState = (value) => {
      if (value === null || typeof value !== "object" || !(#state in value)) {
        return undefined;
      }
      return value.#state;
    };
  }
}
setToStringTag(WritableStream);

defineGlobal("WritableStream", WritableStream);
defineGlobal("WritableStreamDefaultController", WritableStreamDefaultController);

assign(internal, { deferred, writerLockedMessage, writerReleasedMessage, WritableStream });
