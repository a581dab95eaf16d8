// Small globals: crypto, navigator, performance, queueMicrotask and self, and
// fixes to the URL class that Install takes from goja_nodejs.

const { defineGlobal, setToStringTag, DOMException, reportError } = internal;

const integerArrays = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  BigInt64Array, BigUint64Array,
];

class Crypto {
  getRandomValues(array) {
    if (!integerArrays.some((Type) => array instanceof Type)) {
      throw new DOMException("The data argument must be an integer-type TypedArray.", "TypeMismatchError");
    }
    if (!native.randomFill(array)) {
      throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
    }
    return array;
  }

  randomUUID() {
    return native.randomUUID();
  }

  // TODO: crypto.subtle (Web Crypto) is not implemented.
  get subtle() {
    return undefined;
  }
}
setToStringTag(Crypto);

class Navigator {
  get userAgent() {
    return "Cloudflare-Workers";
  }

  get hardwareConcurrency() {
    return 1;
  }
}
setToStringTag(Navigator);

const timeOrigin = Date.now();
const performance = {
  timeOrigin,
  now: () => Date.now() - timeOrigin,
};

function queueMicrotask(callback) {
  if (typeof callback !== "function") {
    throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
  }
  Promise.resolve().then(() => {
    try {
      callback();
    } catch (err) {
      reportError(err);
    }
  });
}

// The event loop's timers (goja_nodejs) return Timer objects, drop an
// exception thrown by a callback, and may run two timers that fall due
// together in either order, since each waits on its own goroutine.
// workerd's return positive integers from one pool for timeouts and
// intervals, run timers in order of due time and then of creation, and
// report an uncaught exception. So the timers live in a queue here, and
// one loop timer at a time waits for the head of the queue.
const loopSetTimeout = globalThis.setTimeout;
const loopClearTimeout = globalThis.clearTimeout;
const timerQueue = []; // { id, due, delay, callback, args, repeat }, by due then id
const activeTimers = new Map(); // id -> queue entry
let lastTimerId = 0;
let armed = null; // the loop timer that waits for timerQueue[0]

function enqueueTimer(timer) {
  let i = timerQueue.length;
  while (i > 0 && timerQueue[i - 1].due > timer.due) {
    i--;
  }
  timerQueue.splice(i, 0, timer);
  if (i === 0) {
    armTimer();
  }
}

function armTimer() {
  if (armed !== null) {
    loopClearTimeout(armed);
    armed = null;
  }
  if (timerQueue.length > 0) {
    armed = loopSetTimeout(fireTimer, Math.max(0, timerQueue[0].due - Date.now()));
  }
}

// fireTimer runs the first timer in the queue, if it is due, in a loop job
// of its own, so microtasks run between two timers.
function fireTimer() {
  armed = null;
  const timer = timerQueue[0];
  if (timer !== undefined && timer.due <= Date.now()) {
    timerQueue.shift();
    if (timer.repeat) {
      timer.due = Date.now() + timer.delay;
      enqueueTimer(timer);
    } else {
      activeTimers.delete(timer.id);
    }
    try {
      timer.callback(...timer.args);
    } catch (err) {
      reportError(err);
    }
  }
  if (armed === null) {
    armTimer();
  }
}

function scheduleTimer(name, callback, delay, args, repeat) {
  if (typeof callback !== "function") {
    throw new TypeError(`Failed to execute '${name}' on 'ServiceWorkerGlobalScope': parameter 1 is not of type 'function'.`);
  }
  const ms = Math.max(0, Math.trunc(Number(delay)) || 0);
  const timer = { id: ++lastTimerId, due: Date.now() + ms, delay: ms, callback, args, repeat };
  activeTimers.set(timer.id, timer);
  enqueueTimer(timer);
  return timer.id;
}

function clearTimer(id) {
  const timer = activeTimers.get(id);
  if (timer === undefined) {
    return;
  }
  activeTimers.delete(id);
  const i = timerQueue.indexOf(timer);
  if (i >= 0) {
    timerQueue.splice(i, 1);
    if (i === 0) {
      armTimer();
    }
  }
}

if (typeof loopSetTimeout === "function" && typeof loopClearTimeout === "function") {
  defineGlobal("setTimeout", function setTimeout(callback, delay = 0, ...args) {
    return scheduleTimer("setTimeout", callback, delay, args, false);
  });
  defineGlobal("setInterval", function setInterval(callback, delay = 0, ...args) {
    return scheduleTimer("setInterval", callback, delay, args, true);
  });
  defineGlobal("clearTimeout", function clearTimeout(id) {
    clearTimer(id);
  });
  defineGlobal("clearInterval", function clearInterval(id) {
    clearTimer(id);
  });
}

defineGlobal("Crypto", Crypto);
defineGlobal("crypto", new Crypto());
defineGlobal("Navigator", Navigator);
defineGlobal("navigator", new Navigator());
defineGlobal("performance", performance);
defineGlobal("queueMicrotask", queueMicrotask);
defineGlobal("self", globalThis);

// goja_nodejs builds URL on Go's net/url. Its origin drops the port and its href
// getter misses changes made through searchParams, so a subclass fixes both.
// NOTE: the parser is still net/url's, not the WHATWG URL parser.
const specialSchemes = new Set(["http:", "https:", "ws:", "wss:", "ftp:"]);
const NodeURL = URL;

class WebURL extends NodeURL {
  constructor(url, base = undefined) {
    const resolved = base === undefined ? null : native.resolveURL(String(url), String(base));
    if (resolved !== null) {
      super(resolved);
    } else if (base === undefined) {
      super(url);
    } else {
      super(url, base);
    }
  }

  get origin() {
    return specialSchemes.has(this.protocol) ? `${this.protocol}//${this.host}` : "null";
  }

  get href() {
    return this.toString();
  }

  set href(value) {
    super.href = value;
  }

  static canParse(url, base = undefined) {
    return WebURL.parse(url, base) !== null;
  }

  static parse(url, base = undefined) {
    try {
      return base === undefined ? new WebURL(url) : new WebURL(url, base);
    } catch (err) {
      return null;
    }
  }
}
Object.defineProperty(WebURL, "name", { value: "URL" });
setToStringTag(WebURL, "URL");
setToStringTag(URLSearchParams);
defineGlobal("URL", WebURL);
