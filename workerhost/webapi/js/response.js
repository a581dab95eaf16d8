// Response, after the WHATWG Fetch standard and workerd's checks and messages.

const { defineGlobal, setToStringTag, inspectCustom, Headers, BodyState, defineBodyMethods, exportBody } = internal;
const { headersList, headersFromList, freezeHeaders, defaultStatusText } = internal;

const kInternal = Symbol("internal Response");
const nullBodyStatuses = new Set([101, 204, 205, 304]);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const nullBodyMessage = "Response with null body status (101, 204, 205, or 304) cannot have a body.";
// noInit is the init of a Response constructed without one. #applyInit only
// reads it, so every such Response can share it.
const noInit = Object.freeze({});

// toStatus converts a value the way Web IDL converts to an unsigned short.
function toStatus(value) {
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n)) {
    return 0;
  }
  return ((n % 65536) + 65536) % 65536;
}

class Response {
  #status = 200;
  // null means that no statusText was given. Like workerd, the getter then
  // returns "", and a response sent to Go gets the default text for its
  // status.
  #statusText = null;
  #headers;
  #body = null; // BodyState or null
  #type = "default";
  #url = "";
  #cf = undefined;

  constructor(body = null, init = undefined) {
    if (body === kInternal) {
      // The caller, clone(), error() or makeResponse, sets the fields.
      return;
    }
    if (init instanceof Response) {
      this.#status = init.#status;
      this.#statusText = init.#statusText;
      this.#headers = new Headers(init.#headers);
      this.#cf = init.#cf;
    } else {
      this.#applyInit(init == null ? noInit : init);
    }
    if (this.#status < 200 || this.#status > 599) {
      throw new RangeError("Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
    }
    this.#setBody(body);
  }

  #applyInit(init) {
    if (init.status !== undefined) {
      this.#status = toStatus(init.status);
    }
    if (init.statusText !== undefined) {
      const text = String(init.statusText);
      if (/[\0-\x1f]/.test(text)) {
        throw new TypeError("Invalid statusText");
      }
      this.#statusText = text;
    }
    this.#headers = new Headers(init.headers);
    this.#cf = init.cf;
    if (init.webSocket != null) {
      // TODO: WebSocket responses (status 101) are not supported.
      throw new TypeError("WebSocket responses are not supported.");
    }
  }

  #setBody(init) {
    const body = BodyState.extract(init);
    if (body !== null && nullBodyStatuses.has(this.#status)) {
      // Like workerd, accept an empty buffer and treat it as no body.
      if (body.bytes === null || body.bytes.byteLength > 0) {
        throw new TypeError(nullBodyMessage);
      }
      return;
    }
    this.#body = body;
    if (body !== null && body.contentType !== null && !this.#headers.has("content-type")) {
      this.#headers.set("content-type", body.contentType);
    }
  }

  get status() {
    return this.#status;
  }

  get statusText() {
    return this.#statusText === null ? "" : this.#statusText;
  }

  get ok() {
    return this.#status >= 200 && this.#status < 300;
  }

  get redirected() {
    return false;
  }

  get type() {
    return this.#type;
  }

  get url() {
    return this.#url;
  }

  get headers() {
    return this.#headers;
  }

  get cf() {
    return this.#cf;
  }

  get webSocket() {
    return null;
  }

  clone() {
    const copy = new Response(kInternal);
    copy.#status = this.#status;
    copy.#statusText = this.#statusText;
    copy.#headers = new Headers(this.#headers);
    copy.#body = this.#body === null ? null : this.#body.clone();
    copy.#url = this.#url;
    copy.#type = this.#type;
    copy.#cf = this.#cf;
    return copy;
  }

  static json(data, init = undefined) {
    const text = JSON.stringify(data);
    if (text === undefined) {
      throw new TypeError("The data passed to Response.json() is not JSON-serializable.");
    }
    let options = init == null ? {} : init;
    if (init instanceof Response) {
      options = { status: init.status, statusText: init.#statusText, headers: init.headers };
    }
    const headers = new Headers(options.headers);
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    return new Response(text, { ...options, headers, statusText: options.statusText === null ? undefined : options.statusText });
  }

  static redirect(url, status = 302) {
    const code = toStatus(status);
    if (!redirectStatuses.has(code)) {
      throw new RangeError(`${code} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`);
    }
    let location;
    try {
      location = new URL(String(url)).href;
    } catch (err) {
      throw new TypeError(`Unable to parse URL: ${url}`);
    }
    const response = new Response(null, { status: code, headers: { location } });
    freezeHeaders(response.#headers);
    return response;
  }

  static error() {
    const response = new Response(kInternal);
    response.#status = 0;
    response.#statusText = "";
    response.#headers = headersFromList([], false);
    response.#type = "error";
    return response;
  }

  [inspectCustom](depth, options, inspect) {
    const fields = {
      status: this.#status,
      statusText: this.statusText,
      headers: this.#headers,
      ok: this.ok,
      redirected: false,
      url: this.#url,
      bodyUsed: this.bodyUsed,
      body: this.body,
    };
    return `Response ${inspect(fields, { depth: options.depth })}`;
  }

  static {
    internal.responseBody = (response) => response.#body;
    // makeResponse builds a Response from Go parts without the constructor's
    // status checks, since the response already exists. headers and normalized
    // are as headersFromList takes them, and goBody is the handle of a Go body
    // or null.
    internal.makeResponse = (status, statusText, headers, normalized, goBody, url) => {
      const response = new Response(kInternal);
      response.#status = status;
      response.#statusText = statusText === null ? defaultStatusText(status) : statusText;
      response.#headers = headersFromList(headers, normalized);
      response.#body = goBody === null ? null : new BodyState(null, null, goBody);
      response.#url = url;
      return response;
    };
    // exportResponse passes the parts of a Response to native.exportParts
    // and takes over its body. It returns false when value is not a Response.
    // Go receives the parts as arguments, so that no object is built for them.
    internal.exportResponse = (value) => {
      if (value === null || typeof value !== "object" || !(#status in value)) {
        return false;
      }
      const body = exportBody(value.#body);
      const statusText = value.#statusText === null ? defaultStatusText(value.#status) : value.#statusText;
      native.exportParts(value.#status, statusText, headersList(value.#headers), body);
      return true;
    };
  }
}
defineBodyMethods(Response, (response) => internal.responseBody(response));
setToStringTag(Response);

defineGlobal("Response", Response);

internal.Response = Response;
