// The functions of node:assert. Part of the module source, after inspect.js,
// assert_deep.js and assert_error.js; modules.go appends the exports.

const noException = Symbol("no exception");

function ok(...args) {
  if (args.length === 0) {
    innerFail({ message: "No value argument passed to `assert.ok()`", actual: undefined, expected: true, operator: "==" });
  }
  const [value, message] = args;
  if (!value) {
    // NOTE: Node quotes the source text of the call; here the value is shown instead.
    const generated = `The expression evaluated to a falsy value:\n\n  assert.ok(${inspect(value)})\n`;
    innerFail({ message: message === undefined ? generated : message, actual: value, expected: true, operator: "==" });
  }
}

function comparison(operator, test) {
  return function (actual, expected, message) {
    if (arguments.length < 2) {
      const err = new TypeError('The "actual" and "expected" arguments must be specified');
      err.code = "ERR_MISSING_ARGS";
      throw err;
    }
    if (!test(actual, expected)) {
      innerFail({ actual, expected, message, operator });
    }
  };
}

const equal = comparison("==", (a, b) => a == b || (Number.isNaN(a) && Number.isNaN(b)));
const notEqual = comparison("!=", (a, b) => !(a == b || (Number.isNaN(a) && Number.isNaN(b))));
const strictEqual = comparison("strictEqual", (a, b) => Object.is(a, b));
const notStrictEqual = comparison("notStrictEqual", (a, b) => !Object.is(a, b));
const deepEqual = comparison("deepEqual", (a, b) => isDeepEqual(a, b, false));
const notDeepEqual = comparison("notDeepEqual", (a, b) => !isDeepEqual(a, b, false));
const deepStrictEqual = comparison("deepStrictEqual", (a, b) => isDeepEqual(a, b, true));
const notDeepStrictEqual = comparison("notDeepStrictEqual", (a, b) => !isDeepEqual(a, b, true));

function fail(...args) {
  if (args.length >= 2) {
    const [actual, expected, message, operator = "!="] = args;
    innerFail({ actual, expected, message, operator });
  }
  innerFail({ message: args[0] === undefined ? "Failed" : args[0], operator: "fail" });
}

function matchImpl(string, regexp, message, operator, shouldMatch) {
  if (!(regexp instanceof RegExp)) {
    throw invalidArgType("regexp", "RegExp", regexp);
  }
  if (typeof string !== "string") {
    const generated = `The "string" argument must be of type string.${describeReceived(string)}`;
    innerFail({ actual: string, expected: regexp, message: message === undefined ? generated : message, operator });
  }
  if (regexp.test(string) !== shouldMatch) {
    const verb = shouldMatch ? "did not match" : "was expected to not match";
    const generated = `The input ${verb} the regular expression ${inspect(regexp)}. Input:\n\n${inspect(string)}\n`;
    innerFail({ actual: string, expected: regexp, message: message === undefined ? generated : message, operator });
  }
}

function match(string, regexp, message) {
  matchImpl(string, regexp, message, "match", true);
}

function doesNotMatch(string, regexp, message) {
  matchImpl(string, regexp, message, "doesNotMatch", false);
}

function ifError(err) {
  if (err === null || err === undefined) {
    return;
  }
  let text = inspect(err);
  if (typeof err === "object" && typeof err.message === "string") {
    text = err.message.length === 0 && err.constructor ? err.constructor.name : err.message;
  }
  innerFail({ actual: err, expected: null, operator: "ifError", message: `ifError got unwanted exception: ${text}` });
}

// checkKeys compares the listed properties of an error with an object of
// expected values, where a RegExp value may match a string property.
function checkKeys(actual, expected, message, operator) {
  const keys = Object.keys(expected);
  if (expected instanceof Error) {
    keys.push("name", "message");
  }
  for (const key of keys) {
    const want = expected[key];
    if (typeof actual[key] === "string" && want instanceof RegExp && want.test(actual[key])) {
      continue;
    }
    if (!(key in Object(actual)) || !isDeepEqual(actual[key], want, true)) {
      const picked = (source) => Object.fromEntries(keys.filter((k) => k in Object(source)).map((k) => [k, source[k]]));
      const generated = comparisonMessage("deepStrictEqual", picked(actual), picked(expected));
      innerFail({ actual, expected, operator, message: message === undefined ? generated : message });
    }
  }
}

function checkError(actual, expected, message, operator) {
  if (expected instanceof RegExp) {
    if (!expected.test(String(actual))) {
      const generated = `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(String(actual))}\n`;
      innerFail({ actual, expected, operator, message: message === undefined ? generated : message });
    }
    return;
  }
  if (typeof expected !== "function") {
    if (expected === null || typeof expected !== "object") {
      throw invalidArgType("error", "function or an instance of Error, RegExp, or Object", expected);
    }
    checkKeys(actual, expected, message, operator);
    return;
  }
  if (expected.prototype !== undefined && actual instanceof expected) {
    return;
  }
  if (Error.isPrototypeOf(expected) || expected === Error) {
    const received = actual && actual.constructor ? actual.constructor.name : typeof actual;
    const generated = `The error is expected to be an instance of "${expected.name}". Received "${received}"\n\nError message:\n\n${actual && actual.message}`;
    innerFail({ actual, expected, operator, message: message === undefined ? generated : message });
  }
  const result = expected.call({}, actual);
  if (result !== true) {
    const generated = `The "validate" validation function is expected to return "true". Received ${inspect(result)}\n\nCaught error:\n\n${inspect(actual)}`;
    innerFail({ actual, expected, operator, message: message === undefined ? generated : message });
  }
}

function expectError(operator, kind, actual, error, message) {
  if (typeof error === "string") {
    message = error;
    error = undefined;
  }
  if (actual === noException) {
    let details = error !== undefined && error !== null && error.name ? ` (${error.name})` : "";
    details += message ? `: ${message}` : ".";
    innerFail({ actual: undefined, expected: error, operator, message: `Missing expected ${kind}${details}` });
  }
  if (error !== undefined) {
    checkError(actual, error, message, operator);
  }
}

function rejectUnwanted(operator, kind, actual, error, message) {
  if (typeof error === "string") {
    message = error;
    error = undefined;
  }
  if (actual === noException) {
    return;
  }
  let matches = error === undefined;
  if (error instanceof RegExp) {
    matches = error.test(String(actual));
  } else if (typeof error === "function" && error.prototype !== undefined) {
    matches = actual instanceof error;
  }
  if (!matches) {
    throw actual;
  }
  const details = message ? `: ${message}` : ".";
  const actualMessage = actual && typeof actual === "object" ? actual.message : String(actual);
  innerFail({ actual, expected: error, operator, message: `Got unwanted ${kind}${details}\nActual message: "${actualMessage}"` });
}

function callForError(fn) {
  if (typeof fn !== "function") {
    throw invalidArgType("fn", "function", fn);
  }
  try {
    fn();
  } catch (err) {
    return err;
  }
  return noException;
}

async function awaitForError(promiseFn) {
  let promise = promiseFn;
  if (typeof promiseFn === "function") {
    promise = promiseFn();
    if (promise === null || typeof promise !== "object" || typeof promise.then !== "function") {
      const got = promise !== null && typeof promise === "object" ? "an object without a then method" : `type ${promise === null ? "null" : typeof promise}`;
      const err = new TypeError(`Expected instance of Promise to be returned from the "promiseFn" function but got ${got}.`);
      err.code = "ERR_INVALID_RETURN_VALUE";
      throw err;
    }
  } else if (promise === null || typeof promise !== "object" || typeof promise.then !== "function") {
    throw invalidArgType("promiseFn", "function or an instance of Promise", promiseFn);
  }
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return noException;
}

function throws(fn, error, message) {
  expectError("throws", "exception", callForError(fn), error, message);
}

function doesNotThrow(fn, error, message) {
  rejectUnwanted("doesNotThrow", "exception", callForError(fn), error, message);
}

async function rejects(promiseFn, error, message) {
  expectError("rejects", "rejection", await awaitForError(promiseFn), error, message);
}

async function doesNotReject(promiseFn, error, message) {
  rejectUnwanted("doesNotReject", "rejection", await awaitForError(promiseFn), error, message);
}

const shared = {
  AssertionError, ok, fail, throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, ifError,
  strictEqual, notStrictEqual, deepStrictEqual, notDeepStrictEqual,
};

// assert is the default export of node:assert, and strict that of
// node:assert/strict, where the loose comparisons are the strict ones.
const assert = Object.assign((...args) => ok(...args), shared, { equal, notEqual, deepEqual, notDeepEqual });
const strict = Object.assign((...args) => ok(...args), shared, {
  equal: strictEqual,
  notEqual: notStrictEqual,
  deepEqual: deepStrictEqual,
  notDeepEqual: notDeepStrictEqual,
});
assert.strict = strict;
strict.strict = strict;
