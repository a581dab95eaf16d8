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

// utf16Labels maps the labels of the UTF-16 encodings in the Encoding
// standard to their names.
const utf16Labels = new Map([
  ["csunicode", "utf-16le"],
  ["iso-10646-ucs-2", "utf-16le"],
  ["ucs-2", "utf-16le"],
  ["unicode", "utf-16le"],
  ["unicodefeff", "utf-16le"],
  ["utf-16", "utf-16le"],
  ["utf-16le", "utf-16le"],
  ["unicodefffe", "utf-16be"],
  ["utf-16be", "utf-16be"],
]);

function byteView(input) {
  if (input === undefined) {
    return new Uint8Array(0);
  }
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  return new Uint8Array(input);
}

// newUTF16Decoder returns a decode(bytes, stream) function with its own
// state, like the UTF-8 one: it returns the decoded string, or null when
// fatal is set and the input ends in an odd byte, which otherwise becomes
// U+FFFD. Like workerd, and unlike the Encoding standard, it keeps
// unpaired surrogates as they are. A leading byte order mark is removed
// unless ignoreBOM is set.
function newUTF16Decoder(bigEndian, fatal, ignoreBOM) {
  let pendingByte = -1;
  let pendingLead = -1; // a lead surrogate that ended a chunk in stream mode
  let started = false;
  return (input, stream) => {
    const bytes = byteView(input);
    const units = [];
    if (pendingLead >= 0) {
      units.push(pendingLead);
      pendingLead = -1;
    }
    let i = 0;
    if (pendingByte >= 0 && bytes.length > 0) {
      units.push(bigEndian ? (pendingByte << 8) | bytes[0] : pendingByte | (bytes[0] << 8));
      pendingByte = -1;
      i = 1;
    }
    for (; i + 1 < bytes.length; i += 2) {
      units.push(bigEndian ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8));
    }
    if (i < bytes.length) {
      pendingByte = bytes[i];
    }
    if (!started && units.length > 0) {
      started = true;
      if (units[0] === 0xfeff && !ignoreBOM) {
        units.shift();
      }
    }
    if (stream) {
      const last = units[units.length - 1];
      if (last >= 0xd800 && last <= 0xdbff) {
        pendingLead = units.pop();
      }
    } else {
      const oddByte = pendingByte >= 0;
      pendingByte = -1;
      started = false;
      if (oddByte) {
        if (fatal) {
          return null;
        }
        units.push(0xfffd);
      }
    }
    let out = "";
    for (let j = 0; j < units.length; j += 8192) {
      out += String.fromCharCode(...units.slice(j, j + 8192));
    }
    return out;
  };
}

function utf8Encode(input) {
  return new Uint8Array(native.utf8Encode(String(input)));
}

// utf8Decode decodes bytes as UTF-8, replacing invalid sequences and removing a
// leading byte order mark, as the Fetch standard's "UTF-8 decode" does.
function utf8Decode(bytes) {
  return native.utf8Decode(bytes);
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
  #encoding;
  #fatal;
  #ignoreBOM;
  #decode;

  constructor(label = "utf-8", options = {}) {
    const normalized = String(label).trim().toLowerCase();
    this.#fatal = Boolean(options && options.fatal);
    this.#ignoreBOM = Boolean(options && options.ignoreBOM);
    if (utf8Labels.has(normalized)) {
      this.#encoding = "utf-8";
      this.#decode = native.newUTF8Decoder(this.#fatal, this.#ignoreBOM);
    } else if (utf16Labels.has(normalized)) {
      this.#encoding = utf16Labels.get(normalized);
      this.#decode = newUTF16Decoder(this.#encoding === "utf-16be", this.#fatal, this.#ignoreBOM);
    } else {
      // TODO: workerd also decodes the legacy single-byte and CJK encodings.
      throw new RangeError(`"${label}" is not a valid encoding.`);
    }
  }

  get encoding() {
    return this.#encoding;
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
      throw new TypeError("Failed to decode input.");
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
