// The global fetch(), which hands each request to Host.Fetch through a Go native.

const { defineGlobal, Request } = internal;

function fetch(input, init = undefined) {
  return new Promise((resolve, reject) => {
    // As in workerd, a Request without init is sent as it is, not copied.
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = request.url;
    if (!/^https?:/i.test(url)) {
      throw new TypeError(`Fetch API cannot load: ${url}`);
    }
    const signal = internal.requestSignal(request);
    if (signal !== null && signal.aborted) {
      reject(signal.reason);
      return;
    }
    const call = native.fetch(request, request.redirect);
    if (signal !== null) {
      // The listener stays after the response arrives, so that aborting then
      // also stops the response body.
      signal.addEventListener("abort", () => {
        call.abort();
        reject(signal.reason);
      }, { once: true });
    }
    call.promise.then(resolve, reject);
  });
}

defineGlobal("fetch", fetch);
