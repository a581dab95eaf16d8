// Event, EventTarget, AbortController and AbortSignal: enough for abort handling
// in fetch() and streams, not a full DOM event model (no capture or bubbling).

const { defineGlobal, setToStringTag, DOMException, reportError, assign } = internal;

class Event {
  #type;
  #defaultPrevented = false;
  #cancelable;
  #stopped = false;
  #target = null;

  constructor(type, options = {}) {
    if (arguments.length < 1) {
      throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
    }
    this.#type = String(type);
    this.#cancelable = Boolean(options && options.cancelable);
  }

  get type() {
    return this.#type;
  }

  get target() {
    return this.#target;
  }

  get currentTarget() {
    return this.#target;
  }

  get cancelable() {
    return this.#cancelable;
  }

  get defaultPrevented() {
    return this.#defaultPrevented;
  }

  preventDefault() {
    if (this.#cancelable) {
      this.#defaultPrevented = true;
    }
  }

  stopImmediatePropagation() {
    this.#stopped = true;
  }

  stopPropagation() {}

  static {
    internal.eventDispatchState = (event, target) => {
      event.#target = target;
      return () => event.#stopped;
    };
  }
}
setToStringTag(Event);

class EventTarget {
  #listeners = new Map(); // type -> array of {callback, once}

  addEventListener(type, callback, options = {}) {
    if (callback === null || callback === undefined) {
      return;
    }
    const once = typeof options === "object" && options !== null && Boolean(options.once);
    const list = this.#listeners.get(String(type)) || [];
    if (!list.some((l) => l.callback === callback)) {
      list.push({ callback, once });
    }
    this.#listeners.set(String(type), list);
    const signal = typeof options === "object" && options !== null ? options.signal : undefined;
    if (signal instanceof AbortSignal) {
      signal.addEventListener("abort", () => this.removeEventListener(type, callback), { once: true });
    }
  }

  removeEventListener(type, callback) {
    const list = this.#listeners.get(String(type));
    if (list) {
      this.#listeners.set(String(type), list.filter((l) => l.callback !== callback));
    }
  }

  dispatchEvent(event) {
    if (!(event instanceof Event)) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    const stopped = internal.eventDispatchState(event, this);
    for (const listener of [...(this.#listeners.get(event.type) || [])]) {
      if (listener.once) {
        this.removeEventListener(event.type, listener.callback);
      }
      try {
        if (typeof listener.callback === "function") {
          listener.callback.call(this, event);
        } else {
          listener.callback.handleEvent(event);
        }
      } catch (err) {
        reportError(err);
      }
      if (stopped()) {
        break;
      }
    }
    return !event.defaultPrevented;
  }
}
setToStringTag(EventTarget);

const kCreateSignal = Symbol("create AbortSignal");

class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  onabort = null;

  constructor(key) {
    if (key !== kCreateSignal) {
      throw new TypeError("Illegal constructor");
    }
    super();
  }

  get aborted() {
    return this.#aborted;
  }

  get reason() {
    return this.#reason;
  }

  throwIfAborted() {
    if (this.#aborted) {
      throw this.#reason;
    }
  }

  static abort(reason) {
    const signal = new AbortSignal(kCreateSignal);
    signal.#aborted = true;
    signal.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    return signal;
  }

  static timeout(milliseconds) {
    const signal = new AbortSignal(kCreateSignal);
    globalThis.setTimeout(() => {
      abortSignal(signal, new DOMException("The operation timed out.", "TimeoutError"));
    }, Number(milliseconds));
    return signal;
  }

  static any(signals) {
    const result = new AbortSignal(kCreateSignal);
    for (const signal of signals) {
      if (signal.aborted) {
        abortSignal(result, signal.reason);
        return result;
      }
    }
    for (const signal of signals) {
      signal.addEventListener("abort", () => abortSignal(result, signal.reason), { once: true });
    }
    return result;
  }

  static {
    internal.setAborted = (signal, reason) => {
      if (signal.#aborted) {
        return false;
      }
      signal.#aborted = true;
      signal.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
      return true;
    };
  }
}
setToStringTag(AbortSignal);

function abortSignal(signal, reason) {
  if (!internal.setAborted(signal, reason)) {
    return;
  }
  const event = new Event("abort");
  if (typeof signal.onabort === "function") {
    try {
      signal.onabort.call(signal, event);
    } catch (err) {
      reportError(err);
    }
  }
  signal.dispatchEvent(event);
}

class AbortController {
  #signal = new AbortSignal(kCreateSignal);

  get signal() {
    return this.#signal;
  }

  abort(reason) {
    abortSignal(this.#signal, reason);
  }
}
setToStringTag(AbortController);

defineGlobal("Event", Event);
defineGlobal("EventTarget", EventTarget);
defineGlobal("AbortSignal", AbortSignal);
defineGlobal("AbortController", AbortController);

assign(internal, { abortSignal, AbortSignal });
