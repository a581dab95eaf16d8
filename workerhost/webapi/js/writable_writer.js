// WritableStreamDefaultWriter, which locks a WritableStream while it writes.

const { defineGlobal, setToStringTag, deferred, writerLockedMessage, writerReleasedMessage } = internal;

class WritableStreamDefaultWriter {
  #stream = null; // the WritableState, or null once released
  #ready = deferred();
  #closed = deferred();

  constructor(stream) {
    const state = internal.writableState(stream);
    if (state === undefined) {
      throw new TypeError("WritableStreamDefaultWriter requires a WritableStream.");
    }
    if (state.writer !== null) {
      throw new TypeError(writerLockedMessage);
    }
    this.#stream = state;
    // The stream replaces the ready record as backpressure changes.
    const writer = this;
    state.writer = {
      get ready() {
        return writer.#ready;
      },
      set ready(record) {
        writer.#ready = record;
      },
      closed: this.#closed,
    };
    if (state.state === "errored") {
      this.#ready.reject(state.storedError);
      this.#closed.reject(state.storedError);
    } else if (state.state === "closed") {
      this.#ready.resolve();
      this.#closed.resolve();
    } else if (!state.backpressure || state.closeRequested) {
      this.#ready.resolve();
    }
  }

  get ready() {
    return this.#ready.promise;
  }

  get closed() {
    return this.#closed.promise;
  }

  get desiredSize() {
    if (this.#stream === null) {
      throw new TypeError(writerReleasedMessage);
    }
    return this.#stream.desiredSize();
  }

  write(chunk) {
    if (this.#stream === null) {
      return Promise.reject(new TypeError(writerReleasedMessage));
    }
    return this.#stream.write(chunk);
  }

  close() {
    if (this.#stream === null) {
      return Promise.reject(new TypeError(writerReleasedMessage));
    }
    return this.#stream.close();
  }

  abort(reason) {
    if (this.#stream === null) {
      return Promise.reject(new TypeError(writerReleasedMessage));
    }
    return this.#stream.abort(reason);
  }

  releaseLock() {
    const stream = this.#stream;
    if (stream === null) {
      return;
    }
    const err = new TypeError(writerReleasedMessage);
    for (const record of [this.#ready, this.#closed]) {
      record.reject(err);
    }
    this.#ready = deferred();
    this.#ready.reject(err);
    this.#closed = deferred();
    this.#closed.reject(err);
    stream.writer = null;
    this.#stream = null;
  }
}
setToStringTag(WritableStreamDefaultWriter);

defineGlobal("WritableStreamDefaultWriter", WritableStreamDefaultWriter);

internal.WritableStreamDefaultWriter = WritableStreamDefaultWriter;
