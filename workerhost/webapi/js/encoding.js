// TextEncoder, TextDecoder, atob and btoa. The UTF-8 and base64 work is done by
// Go natives.

const { defineGlobal, setToStringTag, DOMException, isBufferSource } = internal;

const utf8Labels = new Set([
  "unicode-1-1-utf-8",
  "unicode11utf8",
  "unicode20utf8",
  "utf-8",
  "utf8",
  "x-unicode20utf8",
]);

function utf8Encode(input) {
  return new Uint8Array(native.utf8Encode(String(input)));
}

// utf8Decode decodes bytes as UTF-8, replacing invalid sequences and removing a
// leading byte order mark, as the Fetch standard's "UTF-8 decode" does.
function utf8Decode(bytes) {
  return native.newUTF8Decoder(false, false)(bytes, false);
}

class TextEncoder {
  get encoding() {
    return "utf-8";
  }

  encode(input = "") {
    return utf8Encode(input);
  }

  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) {
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    }
    const [read, written] = native.utf8EncodeInto(String(source), destination);
    return { read, written };
  }
}
setToStringTag(TextEncoder);

class TextDecoder {
  #fatal;
  #ignoreBOM;
  #decode;

  constructor(label = "utf-8", options = {}) {
    const normalized = String(label).trim().toLowerCase();
    if (!utf8Labels.has(normalized)) {
      // TODO: only UTF-8 is supported; workerd also decodes UTF-16 and legacy encodings.
      throw new RangeError(`Invalid or unsupported encoding: ${label}`);
    }
    this.#fatal = Boolean(options && options.fatal);
    this.#ignoreBOM = Boolean(options && options.ignoreBOM);
    this.#decode = native.newUTF8Decoder(this.#fatal, this.#ignoreBOM);
  }

  get encoding() {
    return "utf-8";
  }

  get fatal() {
    return this.#fatal;
  }

  get ignoreBOM() {
    return this.#ignoreBOM;
  }

  decode(input = undefined, options = {}) {
    if (input !== undefined && !isBufferSource(input)) {
      throw new TypeError("Failed to execute 'decode' on 'TextDecoder': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView'.");
    }
    const result = this.#decode(input, Boolean(options && options.stream));
    if (result === null) {
      throw new TypeError("The encoded data was not valid for encoding utf-8");
    }
    return result;
  }
}
setToStringTag(TextDecoder);

function atob(data) {
  if (arguments.length < 1) {
    throw new TypeError("Failed to execute 'atob': 1 argument required, but only 0 present.");
  }
  const result = native.atob(String(data));
  if (result === null) {
    throw new DOMException("The string to be decoded is not correctly encoded.", "InvalidCharacterError");
  }
  return result;
}

function btoa(data) {
  if (arguments.length < 1) {
    throw new TypeError("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  }
  const result = native.btoa(String(data));
  if (result === null) {
    throw new DOMException("Invalid character", "InvalidCharacterError");
  }
  return result;
}

defineGlobal("TextEncoder", TextEncoder);
defineGlobal("TextDecoder", TextDecoder);
defineGlobal("atob", atob);
defineGlobal("btoa", btoa);

Object.assign(internal, { utf8Encode, utf8Decode });
