// console, whose calls are formatted here and passed to Host.Log with a level.

const { defineGlobal } = internal;

// inspect formats a value as Node.js's util.inspect does. It is read from
// internal on each call, because inspect.js is installed on first use.
function inspect(value, options) {
  return internal.inspect(value, options);
}

// formatArg formats one argument that no format specifier consumed: strings
// stay raw, everything else is inspected.
function formatArg(arg) {
  return typeof arg === "string" ? arg : inspect(arg);
}

function formatSpecifier(spec, arg) {
  switch (spec) {
    case "s":
      if (typeof arg === "string") {
        return arg;
      }
      if (typeof arg === "bigint") {
        return `${arg}n`;
      }
      return typeof arg === "object" && arg !== null ? inspect(arg, { depth: 0 }) : String(arg);
    case "d":
    case "i":
    case "f":
      return formatNumberSpecifier(spec, arg);
    case "j":
      try {
        return JSON.stringify(arg);
      } catch (err) {
        return "[Circular]";
      }
    case "o":
    case "O":
      return inspect(arg, { depth: spec === "o" ? 4 : 2 });
    default:
      return "";
  }
}

function formatNumberSpecifier(spec, arg) {
  if (typeof arg === "bigint" && spec !== "f") {
    return `${arg}n`;
  }
  if (typeof arg === "symbol") {
    return "NaN";
  }
  if (spec === "d") {
    return String(Number(arg));
  }
  return String(spec === "i" ? parseInt(arg, 10) : parseFloat(arg));
}

// format implements the printf-like first argument of console methods (%s %d %i
// %f %j %o %O %c %%) and appends the remaining arguments.
function format(...args) {
  if (args.length === 0) {
    return "";
  }
  let first = args[0];
  let next = 1;
  if (typeof first === "string" && first.includes("%")) {
    first = first.replace(/%([sdifjoOc%])/g, (match, spec) => {
      if (spec === "%") {
        return "%";
      }
      if (next >= args.length) {
        return match;
      }
      return formatSpecifier(spec, args[next++]);
    });
  } else {
    first = formatArg(first);
  }
  const rest = args.slice(next).map(formatArg);
  return [first, ...rest].join(" ");
}

function createConsole() {
  let groupIndent = "";
  const counts = new Map();
  const timers = new Map();
  const emit = (level, args) => {
    let message = format(...args);
    if (groupIndent !== "") {
      message = groupIndent + message.split("\n").join("\n" + groupIndent);
    }
    native.log(level, message);
  };

  const console = {
    debug: (...args) => emit("debug", args),
    log: (...args) => emit("log", args),
    info: (...args) => emit("info", args),
    warn: (...args) => emit("warn", args),
    error: (...args) => emit("error", args),
    trace: (...args) => emit("log", ["Trace:", ...args]),
    dir: (value, options) => emit("log", [inspect(value, options)]),
    dirxml: (...args) => emit("log", args),
    table: (...args) => emit("log", args),
    assert: (condition, ...args) => {
      if (!condition) {
        emit("error", args.length === 0 ? ["Assertion failed"] : ["Assertion failed:", ...args]);
      }
    },
    count: (label = "default") => {
      const n = (counts.get(String(label)) || 0) + 1;
      counts.set(String(label), n);
      emit("log", [`${label}: ${n}`]);
    },
    countReset: (label = "default") => counts.delete(String(label)),
    group: (...args) => {
      if (args.length > 0) {
        emit("log", args);
      }
      groupIndent += "  ";
    },
    groupEnd: () => {
      groupIndent = groupIndent.slice(2);
    },
    time: (label = "default") => timers.set(String(label), Date.now()),
    timeLog: (label = "default", ...args) => {
      const start = timers.get(String(label));
      if (start !== undefined) {
        emit("log", [`${label}: ${Date.now() - start}ms`, ...args]);
      }
    },
    timeEnd: (label = "default") => {
      console.timeLog(label);
      timers.delete(String(label));
    },
  };
  console.groupCollapsed = console.group;
  return console;
}

defineGlobal("console", createConsole());

// reportError logs an exception that nothing caught, as workerd does.
function reportError(error) {
  native.log("error", "Uncaught " + inspect(error));
}

Object.assign(internal, { format, reportError });
