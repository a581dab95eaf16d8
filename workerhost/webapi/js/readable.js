// The internal state of a ReadableStream and of its reader, after the WHATWG
// Streams standard. The public classes in readable_stream.js wrap these, and the
// other scripts and the Go bridge use them directly.

const { markHandled, assign } = internal;

const kCreate = Symbol("internal constructor");
const lockedMessage = "This ReadableStream is currently locked to a reader.";
const releasedMessage = "This ReadableStream reader has been released.";

function promiseCall(fn, arg) {
  try {
    return Promise.resolve(fn(arg));
  } catch (err) {
    return Promise.reject(err);
  }
}

// StreamState is the internal side of one ReadableStream.
class StreamState {
  state = "readable"; // "readable", "closed" or "errored"
  storedError = undefined;
  reader = null; // the ReaderState that locks the stream
  disturbed = false;
  queue = []; // {chunk, size}
  queueSize = 0;
  highWaterMark = 1;
  sizeOf = () => 1;
  isBytes = false;
  started = false;
  closeRequested = false;
  pulling = false;
  pullAgain = false;
  pullSource = undefined; // (controller) => value or promise
  cancelSource = undefined; // (reason) => value or promise
  controller = null;
  stream = null; // the public ReadableStream

  desiredSize() {
    if (this.state === "errored") {
      return null;
    }
    return this.state === "closed" ? 0 : this.highWaterMark - this.queueSize;
  }

  canCloseOrEnqueue() {
    return this.state === "readable" && !this.closeRequested;
  }

  enqueue(chunk) {
    const reader = this.reader;
    if (reader !== null && reader.readRequests.length > 0) {
      reader.readRequests.shift().resolve({ value: chunk, done: false });
    } else {
      let size;
      try {
        size = Number(this.sizeOf(chunk));
        if (!(size >= 0) || size === Infinity) {
          throw new RangeError("The return value of a queuing strategy's size function must be a finite, non-NaN, non-negative number.");
        }
      } catch (err) {
        this.error(err);
        throw err;
      }
      this.queue.push({ chunk, size });
      this.queueSize += size;
    }
    this.callPullIfNeeded();
  }

  close() {
    this.closeRequested = true;
    if (this.queue.length === 0) {
      this.finishClose();
    }
  }

  finishClose() {
    this.state = "closed";
    this.pullSource = undefined;
    this.cancelSource = undefined;
    const reader = this.reader;
    if (reader !== null) {
      for (const request of reader.readRequests.splice(0)) {
        request.resolve({ value: undefined, done: true });
      }
      reader.resolveClosed();
    }
  }

  error(err) {
    if (this.state !== "readable") {
      return;
    }
    this.state = "errored";
    this.storedError = err;
    this.queue = [];
    this.queueSize = 0;
    this.pullSource = undefined;
    this.cancelSource = undefined;
    const reader = this.reader;
    if (reader !== null) {
      for (const request of reader.readRequests.splice(0)) {
        request.reject(err);
      }
      reader.rejectClosed(err);
    }
  }

  read(reader) {
    this.disturbed = true;
    if (this.state === "closed") {
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.state === "errored") {
      return Promise.reject(this.storedError);
    }
    if (this.queue.length > 0) {
      const { chunk, size } = this.queue.shift();
      this.queueSize -= size;
      if (this.closeRequested && this.queue.length === 0) {
        this.finishClose();
      } else {
        this.callPullIfNeeded();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    return new Promise((resolve, reject) => {
      reader.readRequests.push({ resolve, reject });
      this.callPullIfNeeded();
    });
  }

  cancel(reason) {
    this.disturbed = true;
    if (this.state === "closed") {
      return Promise.resolve();
    }
    if (this.state === "errored") {
      return Promise.reject(this.storedError);
    }
    const cancelSource = this.cancelSource;
    this.queue = [];
    this.queueSize = 0;
    this.finishClose();
    const result = cancelSource === undefined ? Promise.resolve() : promiseCall(cancelSource, reason);
    return result.then(() => undefined);
  }

  shouldPull() {
    if (!this.started || !this.canCloseOrEnqueue() || this.pullSource === undefined) {
      return false;
    }
    if (this.reader !== null && this.reader.readRequests.length > 0) {
      return true;
    }
    return this.desiredSize() > 0;
  }

  callPullIfNeeded() {
    if (!this.shouldPull()) {
      return;
    }
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = true;
    promiseCall(this.pullSource, this.controller).then(() => {
      this.pulling = false;
      if (this.pullAgain) {
        this.pullAgain = false;
        this.callPullIfNeeded();
      }
    }, (err) => this.error(err));
  }
}

// ReaderState is the internal side of a reader: it locks one stream.
class ReaderState {
  readRequests = []; // {resolve, reject}

  constructor(stream) {
    if (stream.reader !== null) {
      throw new TypeError(lockedMessage);
    }
    this.stream = stream;
    this.closed = markHandled(new Promise((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    }));
    if (stream.state === "closed") {
      this.resolveClosed();
    } else if (stream.state === "errored") {
      this.rejectClosed(stream.storedError);
    }
    stream.reader = this;
  }

  read() {
    if (this.stream === null) {
      return Promise.reject(new TypeError(releasedMessage));
    }
    return this.stream.read(this);
  }

  cancel(reason) {
    if (this.stream === null) {
      return Promise.reject(new TypeError(releasedMessage));
    }
    return this.stream.cancel(reason);
  }

  release() {
    const stream = this.stream;
    if (stream === null) {
      return;
    }
    const err = new TypeError(releasedMessage);
    for (const request of this.readRequests.splice(0)) {
      request.reject(err);
    }
    if (stream.state === "readable") {
      this.rejectClosed(err);
    } else {
      this.closed = markHandled(Promise.reject(err));
    }
    stream.reader = null;
    this.stream = null;
  }
}

assign(internal, { kCreate, lockedMessage, promiseCall, StreamState, ReaderState });
