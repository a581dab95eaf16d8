// ReadableStream methods that combine streams: tee(), pipeTo(), pipeThrough()
// and ReadableStream.from().
// NOTE: tee() gives both branches the same chunk objects; the standard clones
// chunks of byte streams for the second branch.

const { ReadableStream, ReaderState, lockedMessage, writerLockedMessage, markHandled, defineProperty } = internal;

function defineMethod(target, name, fn) {
  defineProperty(target, name, { value: fn, writable: true, configurable: true });
}

function requireStream(value) {
  const state = internal.streamState(value);
  if (state === undefined) {
    throw new TypeError("Illegal invocation: this is not a ReadableStream.");
  }
  return state;
}

// teeStream splits a stream into two branches that each receive every chunk.
// The source is read when either branch pulls and cancelled when both are.
function teeStream(state) {
  const reader = new ReaderState(state);
  const controllers = [];
  const cancelled = [false, false];
  const reasons = [undefined, undefined];
  let reading = false;
  let readAgain = false;
  let resolveCancel;
  const cancelPromise = new Promise((resolve) => {
    resolveCancel = resolve;
  });

  const pull = () => {
    if (reading) {
      readAgain = true;
      return Promise.resolve();
    }
    reading = true;
    reader.read().then(({ value, done }) => {
      reading = false;
      for (let i = 0; i < 2; i++) {
        if (!cancelled[i] && controllers[i].desiredSize !== null) {
          done ? controllers[i].close() : controllers[i].enqueue(value);
        }
      }
      if (done) {
        resolveCancel();
      } else if (readAgain) {
        readAgain = false;
        pull();
      }
    }, (err) => {
      controllers[0].error(err);
      controllers[1].error(err);
      resolveCancel();
    });
    return Promise.resolve();
  };
  const cancel = (i, reason) => {
    cancelled[i] = true;
    reasons[i] = reason;
    if (cancelled[1 - i]) {
      resolveCancel(reader.cancel(reasons));
    }
    return cancelPromise;
  };
  return [0, 1].map((i) => new ReadableStream({
    start: (controller) => {
      controllers[i] = controller;
    },
    pull,
    cancel: (reason) => cancel(i, reason),
  }));
}

defineMethod(ReadableStream.prototype, "tee", function tee() {
  return teeStream(requireStream(this));
});

// pipeLoop moves chunks until the source closes or either side fails, passing
// a failure on to the other side unless the options prevent it.
async function pipeLoop(reader, writer, options) {
  for (;;) {
    try {
      await writer.ready;
    } catch (err) {
      if (!options.preventCancel) {
        await reader.cancel(err).catch(() => {});
      }
      throw err;
    }
    let result;
    try {
      result = await reader.read();
    } catch (err) {
      if (!options.preventAbort) {
        await writer.abort(err).catch(() => {});
      }
      throw err;
    }
    if (result.done) {
      if (!options.preventClose) {
        await writer.close();
      }
      return;
    }
    markHandled(writer.write(result.value));
  }
}

function pipeTo(state, destination, rawOptions) {
  const destState = internal.writableState(destination);
  if (destState === undefined) {
    return Promise.reject(new TypeError("pipeTo() requires a WritableStream."));
  }
  if (state.reader !== null) {
    return Promise.reject(new TypeError(lockedMessage));
  }
  if (destState.writer !== null) {
    return Promise.reject(new TypeError(writerLockedMessage));
  }
  const options = {
    preventClose: Boolean(rawOptions && rawOptions.preventClose),
    preventAbort: Boolean(rawOptions && rawOptions.preventAbort),
    preventCancel: Boolean(rawOptions && rawOptions.preventCancel),
  };
  const signal = rawOptions ? rawOptions.signal : undefined;
  const reader = new ReaderState(state);
  const writer = destination.getWriter();
  const runs = [pipeLoop(reader, writer, options)];
  if (signal !== undefined) {
    runs.push(new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!options.preventAbort) {
          markHandled(writer.abort(signal.reason));
        }
        if (!options.preventCancel) {
          markHandled(reader.cancel(signal.reason));
        }
        reject(signal.reason);
      };
      signal.aborted ? onAbort() : signal.addEventListener("abort", onAbort, { once: true });
    }));
  }
  const release = () => {
    reader.release();
    writer.releaseLock();
  };
  return Promise.race(runs).then(release, (err) => {
    release();
    throw err;
  });
}

defineMethod(ReadableStream.prototype, "pipeTo", function (destination, options = undefined) {
  const state = internal.streamState(this);
  if (state === undefined) {
    return Promise.reject(new TypeError("Illegal invocation: this is not a ReadableStream."));
  }
  return pipeTo(state, destination, options);
});

defineMethod(ReadableStream.prototype, "pipeThrough", function (transform, options = undefined) {
  const state = requireStream(this);
  if (transform === null || typeof transform !== "object" || !("readable" in transform) || !("writable" in transform)) {
    throw new TypeError("pipeThrough() requires an object with readable and writable properties.");
  }
  if (state.reader !== null) {
    throw new TypeError(lockedMessage);
  }
  markHandled(pipeTo(state, transform.writable, options));
  return transform.readable;
});

function getIterator(iterable) {
  if (iterable === null || iterable === undefined) {
    throw new TypeError("ReadableStream.from() requires an iterable or async iterable.");
  }
  const asyncMethod = iterable[Symbol.asyncIterator];
  if (typeof asyncMethod === "function") {
    return asyncMethod.call(iterable);
  }
  const syncMethod = iterable[Symbol.iterator];
  if (typeof syncMethod !== "function") {
    throw new TypeError("ReadableStream.from() requires an iterable or async iterable.");
  }
  return syncMethod.call(iterable);
}

defineMethod(ReadableStream, "from", function from(iterable) {
  const iterator = getIterator(iterable);
  return new ReadableStream({
    async pull(controller) {
      const result = await iterator.next();
      if (result.done) {
        controller.close();
      } else {
        controller.enqueue(await result.value);
      }
    },
    async cancel(reason) {
      if (typeof iterator.return === "function") {
        await iterator.return(reason);
      }
    },
  }, { highWaterMark: 0 });
});
