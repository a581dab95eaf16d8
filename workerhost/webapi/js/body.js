// The body of a Request or Response, and the helpers that move body bytes
// between JavaScript streams and Go.

// ReadableStream and ReaderState are read from internal where they are used,
// because the streams are installed on first use.
const { isBufferSource, copyBytes, viewBytes, concatBytes, utf8Encode, utf8Decode, errorMessage } = internal;

const usedMessage = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";
const disturbedMessage = "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.";
const notBytesMessage = "This ReadableStream did not return bytes.";

// chunkBytes returns the bytes of a body chunk, or throws when the chunk is not
// a buffer source.
function chunkBytes(chunk) {
  if (!isBufferSource(chunk)) {
    throw new TypeError(notBytesMessage);
  }
  return viewBytes(chunk);
}

function bytesStream(bytes) {
  return new internal.ReadableStream({
    type: "bytes",
    start(controller) {
      if (bytes.byteLength > 0) {
        controller.enqueue(bytes.slice());
      }
      controller.close();
    },
  });
}

// BodyState keeps a body as a stream, as bytes, or as the handle of a Go body.
// Bytes are kept while the body came from a buffer, so it can be read or
// exported without a stream. A Go body gets a stream only when worker code
// reads the body property, clones the body or moves it to a new Request. Until
// then arrayBuffer(), text() and json() read it whole in Go, and exportBody
// gives it back to Go, without chunks through a stream.
class BodyState {
  constructor(stream, bytes, goBody = null) {
    this.stream = stream; // ReadableStream or null, created on demand from bytes or goBody
    this.bytes = bytes; // Uint8Array or null
    this.goBody = goBody; // handle of a Go body (see nativeStream), or null
    this.goRead = null; // the GoBodyRead that consumed goBody before a stream existed
    this.consumed = false;
    this.contentType = null; // the Content-Type that extract found the init implies, or null
  }

  // extract turns a BodyInit into a BodyState, or null for no body.
  static extract(init) {
    if (init === null || init === undefined) {
      return null;
    }
    const stream = internal.streamState(init);
    if (stream !== undefined) {
      if (stream.disturbed || stream.reader !== null) {
        throw new TypeError(disturbedMessage);
      }
      return new BodyState(init, null);
    }
    if (isBufferSource(init)) {
      return new BodyState(null, copyBytes(init));
    }
    let body;
    if (typeof URLSearchParams === "function" && init instanceof URLSearchParams) {
      body = new BodyState(null, utf8Encode(init.toString()));
      body.contentType = "application/x-www-form-urlencoded;charset=UTF-8";
    } else {
      // TODO: Blob and FormData bodies are not supported; other objects become strings.
      body = new BodyState(null, utf8Encode(String(init)));
      body.contentType = "text/plain;charset=UTF-8";
    }
    return body;
  }

  get used() {
    if (this.consumed) {
      return true;
    }
    return this.stream !== null && internal.streamState(this.stream).disturbed;
  }

  getStream() {
    if (this.stream === null) {
      if (this.goBody === null) {
        this.stream = bytesStream(this.bytes);
        if (this.consumed) {
          this.stream.cancel();
        }
      } else if (this.goRead === null) {
        this.stream = nativeStream(this.goBody);
      } else {
        // Go read the body or took it over. The stream shows the state that
        // a stream read through a reader would be in.
        this.stream = new internal.ReadableStream({ type: "bytes" }, { highWaterMark: 0 });
        this.goRead.attach(internal.streamState(this.stream));
      }
    }
    return this.stream;
  }

  // takeGoBody marks the body used and returns a GoBodyRead for its Go body,
  // when the body is a Go body that nothing has read. Otherwise it returns
  // null.
  takeGoBody() {
    if (this.consumed) {
      return null;
    }
    if (this.stream === null) {
      if (this.goBody === null) {
        return null;
      }
      this.consumed = true;
      this.goRead = new GoBodyRead(this.goBody, null);
      return this.goRead;
    }
    const state = internal.streamState(this.stream);
    const handle = state.nativeHandle;
    if (handle === undefined || state.disturbed || state.reader !== null || state.state !== "readable" || state.queue.length > 0) {
      return null;
    }
    return new GoBodyRead(handle, state);
  }

  // takeBytes returns the whole body when it is still an untouched buffer, and
  // marks the body used; otherwise it returns null.
  takeBytes() {
    if (this.bytes === null || this.consumed) {
      return null;
    }
    if (this.stream !== null) {
      const state = internal.streamState(this.stream);
      if (state.disturbed || state.reader !== null) {
        return null;
      }
      this.stream.cancel();
    }
    this.consumed = true;
    return this.bytes;
  }

  // readAll consumes the body and resolves to a Uint8Array that the caller owns.
  readAll() {
    if (this.used) {
      return Promise.reject(new TypeError(usedMessage));
    }
    const bytes = this.takeBytes();
    if (bytes !== null) {
      return Promise.resolve(bytes.slice());
    }
    const goRead = this.takeGoBody();
    if (goRead !== null) {
      return readGoBody(goRead);
    }
    const stream = internal.streamState(this.getStream());
    if (stream.reader !== null) {
      return Promise.reject(new TypeError(internal.lockedMessage));
    }
    const reader = new internal.ReaderState(stream);
    const chunks = [];
    let total = 0;
    const next = () => reader.read().then(({ value, done }) => {
      if (done) {
        reader.release();
        return concatBytes(chunks, total).slice();
      }
      const chunk = chunkBytes(value);
      chunks.push(chunk);
      total += chunk.byteLength;
      return next();
    });
    return next();
  }

  text() {
    return this.readAll().then(utf8Decode);
  }

  // clone splits the body in two: this body keeps one branch of the stream and
  // the returned body gets the other.
  clone() {
    if (this.used) {
      throw new TypeError(usedMessage);
    }
    if (this.stream === null && this.goBody === null) {
      return new BodyState(null, this.bytes);
    }
    const [first, second] = this.getStream().tee();
    this.stream = first;
    return new BodyState(second, this.bytes);
  }

  // transfer moves the body to a new BodyState and leaves this one used, as
  // constructing a Request from another Request does.
  transfer() {
    if (this.used) {
      throw new TypeError("Cannot reconstruct a Request with a used body.");
    }
    // Both bodies share the stream, so a Go body needs one now.
    const stream = this.goBody === null ? this.stream : this.getStream();
    const moved = new BodyState(stream, this.bytes);
    this.consumed = true;
    return moved;
  }
}

function bufferOf(bytes) {
  return bytes.buffer;
}

function parseJSON(text) {
  return JSON.parse(text);
}

// bodyMethods defines the Body mixin methods on a class whose instances map to a
// BodyState (or null) through getBody.
function defineBodyMethods(cls, getBody) {
  const methods = {
    get body() {
      const body = getBody(this);
      return body === null ? null : body.getStream();
    },
    get bodyUsed() {
      const body = getBody(this);
      return body !== null && body.used;
    },
    arrayBuffer() {
      const body = getBody(this);
      return body === null ? Promise.resolve(new ArrayBuffer(0)) : body.readAll().then(bufferOf);
    },
    bytes() {
      const body = getBody(this);
      return body === null ? Promise.resolve(new Uint8Array(0)) : body.readAll();
    },
    text() {
      const body = getBody(this);
      return body === null ? Promise.resolve("") : body.text();
    },
    json() {
      return this.text().then(parseJSON);
    },
    blob() {
      // TODO: Blob is not implemented.
      return Promise.reject(new TypeError("Body.blob() is not supported: Blob is not implemented."));
    },
    formData() {
      // TODO: FormData is not implemented.
      return Promise.reject(new TypeError("Body.formData() is not supported: FormData is not implemented."));
    },
  };
  for (const name of Object.getOwnPropertyNames(methods)) {
    Object.defineProperty(cls.prototype, name, Object.getOwnPropertyDescriptor(methods, name));
  }
}

// nativeStream returns a ReadableStream that pulls from a Go body. The handle
// is what Go passed as goBody. native.bodyRead(handle) resolves to an
// ArrayBuffer, or null at the end, and native.bodyCancel(handle) closes the Go
// body. The stream pulls only for a pending read, so until the first read, Go
// can still read the body whole or take it back.
function nativeStream(handle) {
  const stream = new internal.ReadableStream({
    type: "bytes",
    pull(controller) {
      return native.bodyRead(handle).then((buffer) => {
        if (buffer === null) {
          controller.close();
        } else {
          controller.enqueue(new Uint8Array(buffer));
        }
      });
    },
    cancel() {
      native.bodyCancel(handle);
    },
  }, { highWaterMark: 0 });
  internal.streamState(stream).nativeHandle = handle;
  return stream;
}

// GoBodyRead tracks a Go body that Go reads whole or takes over, and the
// stream, if any, that shows this to worker code. The stream is disturbed and locked while
// Go reads, as a stream read through a reader is. It closes and unlocks at the
// end, and after a read error it is errored and stays locked. A body taken over
// by Go never ends here, so its stream stays locked.
class GoBodyRead {
  state = null; // StreamState or null
  reader = null; // ReaderState that locks state
  outcome = "pending"; // "pending", "closed" or "errored"
  error = undefined;

  constructor(handle, state) {
    this.handle = handle;
    if (state !== null) {
      this.attach(state);
    }
  }

  attach(state) {
    state.disturbed = true;
    this.state = state;
    this.reader = new internal.ReaderState(state);
    if (this.outcome === "closed") {
      this.close();
    } else if (this.outcome === "errored") {
      this.fail(this.error);
    }
  }

  close() {
    this.outcome = "closed";
    if (this.state !== null) {
      this.state.close();
      this.reader.release();
    }
  }

  fail(err) {
    this.outcome = "errored";
    this.error = err;
    if (this.state !== null) {
      this.state.error(err);
    }
  }
}

// readGoBody reads a whole Go body in as few trips to Go as its size allows
// and resolves to a Uint8Array that the caller owns.
function readGoBody(read) {
  const chunks = [];
  let total = 0;
  const next = () => native.bodyReadAll(read.handle).then((result) => {
    if (result.value !== null) {
      const chunk = new Uint8Array(result.value);
      chunks.push(chunk);
      total += chunk.byteLength;
    }
    if (!result.done) {
      return next();
    }
    read.close();
    return concatBytes(chunks, total);
  }, (err) => {
    read.fail(err);
    throw err;
  });
  return next();
}

// readChunk reads one chunk for Go and calls back with (bytes, done, error).
function readChunk(reader, callback) {
  reader.read().then(({ value, done }) => {
    if (done) {
      callback(null, true, null);
      return;
    }
    callback(chunkBytes(value), false, null);
  }).then(undefined, (err) => callback(null, true, errorMessage(err)));
}

function cancelReader(reader, message) {
  if (reader.stream !== null) {
    reader.cancel(new TypeError(message)).then(undefined, () => {});
  }
}

// exportBody returns what Go needs to read a body, in the first form that
// applies: null for no body, its bytes as a Uint8Array while they are still
// buffered, the handle of the Go body behind an untouched native stream, or a
// ReaderState that locks its stream. Go distinguishes them by type.
function exportBody(body) {
  if (body === null) {
    return null;
  }
  if (body.used) {
    throw new TypeError(usedMessage);
  }
  const bytes = body.takeBytes();
  if (bytes !== null) {
    return bytes;
  }
  const goRead = body.takeGoBody();
  if (goRead !== null) {
    return goRead.handle;
  }
  return new internal.ReaderState(internal.streamState(body.getStream()));
}

Object.assign(internal, {
  BodyState,
  defineBodyMethods,
  readChunk,
  cancelReader,
  exportBody,
  usedMessage,
});
