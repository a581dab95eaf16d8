// AssertionError and the messages of node:assert, worded as Node's. Part of the
// node:assert module source, after inspect.js and assert_deep.js.

const comparisonHeaders = {
  deepStrictEqual: "Expected values to be strictly deep-equal:",
  strictEqual: "Expected values to be strictly equal:",
  deepEqual: "Expected values to be loosely deep-equal:",
  notDeepStrictEqual: "Expected \"actual\" not to be strictly deep-equal to:",
  notStrictEqual: "Expected \"actual\" to be strictly unequal to:",
  notDeepEqual: "Expected \"actual\" not to be loosely deep-equal to:",
};

// inspectForDiff puts every property of an object on its own line, so that two
// values can be compared line by line.
function inspectForDiff(value) {
  return inspect(value, { depth: 1000, breakLength: 0 });
}

// diffLines returns the lines of a longest-common-subsequence diff, marking
// lines only in actual with "+" and lines only in expected with "-".
function diffLines(actual, expected) {
  const a = actual.split("\n");
  const e = expected.split("\n");
  if (a.length * e.length > 4000000) {
    return [...a.map((l) => `+ ${l}`), ...e.map((l) => `- ${l}`)];
  }
  const common = Array.from({ length: a.length + 1 }, () => new Array(e.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = e.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === e[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < e.length) {
    if (i < a.length && j < e.length && a[i] === e[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j >= e.length || common[i + 1][j] >= common[i][j + 1])) {
      out.push(`+ ${a[i]}`);
      i++;
    } else {
      out.push(`- ${e[j]}`);
      j++;
    }
  }
  return out;
}

function comparisonMessage(operator, actual, expected) {
  const header = comparisonHeaders[operator];
  const a = inspectForDiff(actual);
  if (operator.startsWith("not")) {
    return a.includes("\n") ? `${header}\n\n${a}\n` : `${header} ${a}`;
  }
  const e = inspectForDiff(expected);
  if (operator === "deepEqual") {
    return `${header}\n\n${a}\n\nshould loosely deep-equal\n\n${e}`;
  }
  if (a === e) {
    return `Values have same structure but are not reference-equal:\n\n${a}\n`;
  }
  if (!a.includes("\n") && !e.includes("\n")) {
    return `${header}\n\n${a} !== ${e}\n`;
  }
  return `${header}\n+ actual - expected\n\n${diffLines(a, e).join("\n")}\n`;
}

function defaultMessage(actual, expected, operator) {
  if (operator in comparisonHeaders) {
    return comparisonMessage(operator, actual, expected);
  }
  if (operator === "fail") {
    return "Failed";
  }
  return `${inspect(actual)} ${operator} ${inspect(expected)}`;
}

class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== "object") {
      throw invalidArgType("options", "object", options);
    }
    const { message, actual, expected, operator } = options;
    super(message !== undefined ? String(message) : defaultMessage(actual, expected, operator));
    this.generatedMessage = message === undefined;
    this.code = "ERR_ASSERTION";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
  }

  toString() {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}
Object.defineProperty(AssertionError.prototype, "name", {
  value: "AssertionError",
  writable: true,
  configurable: true,
});

function describeReceived(value) {
  if (value === null || value === undefined) {
    return ` Received ${value}`;
  }
  if (typeof value === "function") {
    return ` Received function ${value.name}`;
  }
  if (typeof value === "object") {
    const ctor = value.constructor && value.constructor.name;
    return ctor ? ` Received an instance of ${ctor}` : ` Received ${inspect(value, { depth: -1 })}`;
  }
  return ` Received type ${typeof value} (${inspect(value)})`;
}

// invalidArgType returns Node's ERR_INVALID_ARG_TYPE TypeError.
function invalidArgType(name, expectedType, value) {
  const err = new TypeError(`The "${name}" argument must be of type ${expectedType}.${describeReceived(value)}`);
  err.code = "ERR_INVALID_ARG_TYPE";
  return err;
}

// fail throws an AssertionError, or message itself when it is an Error.
function innerFail(details) {
  if (details.message instanceof Error) {
    throw details.message;
  }
  throw new AssertionError(details);
}
