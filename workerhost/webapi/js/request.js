// Request, after the WHATWG Fetch standard and workerd's choices where they
// differ (error messages, the redirect values, the cf property).

const { defineGlobal, setToStringTag, inspectCustom, Headers, BodyState, defineBodyMethods, exportBody } = internal;
const { headersList, headersFromList } = internal;

const kInternal = Symbol("internal Request");
// knownMethods are the methods that workerd's HTTP library defines. workerd
// accepts these in any case and upper-cases them, and rejects every other
// method, where the Fetch standard allows any token and upper-cases only
// DELETE, GET, HEAD, OPTIONS, POST and PUT.
const knownMethods = new Set([
  "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "PURGE", "OPTIONS", "TRACE", "COPY", "LOCK",
  "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "ACL", "REPORT", "MKACTIVITY",
  "CHECKOUT", "MERGE", "MSEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "QUERY", "BAN",
]);

function normalizeMethod(method) {
  const s = String(method);
  // ASCII only, so that no other character can turn into a known method.
  const upper = s.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  if (!knownMethods.has(upper)) {
    throw new TypeError(`Invalid HTTP method string: ${s}`);
  }
  return upper;
}

function parseURL(input) {
  const s = String(input);
  try {
    return new URL(s).href;
  } catch (err) {
    throw new TypeError(`Invalid URL: ${s}`);
  }
}

function parseRedirect(value) {
  const s = String(value).toLowerCase();
  if (s !== "follow" && s !== "manual") {
    throw new TypeError("Invalid redirect value, must be one of \"follow\" or \"manual\" (\"error\" won't be implemented since it does not make sense at the edge; use \"manual\" and check the response status code).");
  }
  return s;
}

class Request {
  #method = "GET";
  #url = "";
  #headers;
  #body = null; // BodyState or null
  #redirect = "follow";
  #signal = null;
  #cf = undefined;

  // The constructor takes a rest parameter, where reading arguments.length
  // would make goja build an arguments object on every call, makeRequest's
  // included. Request.length is set back to 1 below the class.
  constructor(...args) {
    const input = args[0];
    if (input === kInternal) {
      // The caller, clone() or makeRequest, sets the fields.
      return;
    }
    if (args.length < 1) {
      throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
    }
    const init = args[1];
    const options = init == null ? {} : init;
    if (input instanceof Request) {
      this.#copyFrom(input, options.body !== undefined);
    } else {
      // #applyInit creates the headers, so that headers in init are not
      // preceded by an empty Headers that is thrown away.
      this.#url = parseURL(input);
    }
    this.#applyInit(options);
  }

  #copyFrom(other, ignoreBody) {
    this.#url = other.#url;
    this.#method = other.#method;
    this.#headers = new Headers(other.#headers);
    this.#redirect = other.#redirect;
    this.#signal = other.#signal;
    this.#cf = other.#cf;
    if (!ignoreBody && other.#body !== null) {
      this.#body = other.#body.transfer();
    }
  }

  #applyInit(init) {
    if (init.integrity !== undefined && String(init.integrity) !== "") {
      throw new TypeError("Subrequest integrity checking is not implemented. The integrity option must be either undefined or an empty string.");
    }
    if (init.method !== undefined) {
      this.#method = normalizeMethod(init.method);
    }
    if (init.headers !== undefined) {
      this.#headers = new Headers(init.headers);
    } else if (this.#headers === undefined) {
      this.#headers = new Headers();
    }
    if (init.signal !== undefined) {
      this.#signal = init.signal;
    }
    if (init.cf !== undefined) {
      this.#cf = init.cf;
    }
    if (init.redirect !== undefined) {
      this.#redirect = parseRedirect(init.redirect);
    }
    if (init.body !== undefined) {
      const body = BodyState.extract(init.body);
      this.#body = body;
      if (body !== null && body.contentType !== null && !this.#headers.has("content-type")) {
        this.#headers.set("content-type", body.contentType);
      }
    }
    const changed = init.method !== undefined || init.body !== undefined;
    if (changed && this.#body !== null && (this.#method === "GET" || this.#method === "HEAD")) {
      throw new TypeError("Request with a GET or HEAD method cannot have a body.");
    }
  }

  get method() {
    return this.#method;
  }

  get url() {
    return this.#url;
  }

  get headers() {
    return this.#headers;
  }

  get redirect() {
    return this.#redirect;
  }

  get signal() {
    if (this.#signal === null) {
      this.#signal = new AbortController().signal;
    }
    return this.#signal;
  }

  get cf() {
    return this.#cf;
  }

  get fetcher() {
    return null;
  }

  get keepalive() {
    return false;
  }

  get integrity() {
    return "";
  }

  clone() {
    const copy = new Request(kInternal);
    copy.#method = this.#method;
    copy.#url = this.#url;
    copy.#headers = new Headers(this.#headers);
    copy.#redirect = this.#redirect;
    copy.#signal = this.#signal;
    copy.#cf = this.#cf;
    copy.#body = this.#body === null ? null : this.#body.clone();
    return copy;
  }

  [inspectCustom](depth, options, inspect) {
    const fields = {
      method: this.#method,
      url: this.#url,
      headers: this.#headers,
      bodyUsed: this.bodyUsed,
      body: this.body,
      redirect: this.#redirect,
    };
    return `Request ${inspect(fields, { depth: options.depth })}`;
  }

  static {
    internal.requestBody = (request) => request.#body;
    // makeRequest builds a Request from Go parts without validating the
    // method and URL, since they come from an HTTP request that already
    // arrived. headers and normalized are as headersFromList takes them, and
    // goBody is the handle of a Go body or null.
    internal.makeRequest = (method, url, headers, normalized, goBody) => {
      const request = new Request(kInternal);
      request.#method = method;
      request.#url = url;
      request.#headers = headersFromList(headers, normalized);
      request.#body = goBody === null ? null : new BodyState(null, null, goBody);
      return request;
    };
    // exportRequest passes the parts of a Request to native.exportParts and
    // takes over its body. It returns false when value is not a Request.
    internal.exportRequest = (value) => {
      if (value === null || typeof value !== "object" || !(#method in value)) {
        return false;
      }
      const body = exportBody(value.#body);
      native.exportParts(value.#method, value.#url, headersList(value.#headers), body);
      return true;
    };
    internal.requestSignal = (request) => request.#signal;
  }
}
Object.defineProperty(Request, "length", { value: 1 });
defineBodyMethods(Request, (request) => internal.requestBody(request));
setToStringTag(Request);

defineGlobal("Request", Request);

internal.Request = Request;
