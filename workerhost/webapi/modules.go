package webapi

import (
	"strings"
	"sync"
)

// assertExports lists the named exports of node:assert, all of them names that
// the module source declares.
var assertExports = []string{
	"AssertionError", "deepEqual", "deepStrictEqual", "doesNotMatch", "doesNotReject",
	"doesNotThrow", "equal", "fail", "ifError", "match", "notDeepEqual", "notDeepStrictEqual",
	"notEqual", "notStrictEqual", "ok", "rejects", "strict", "strictEqual", "throws",
}

// strictAliases maps the loose names that node:assert/strict exports to the
// strict functions behind them.
var strictAliases = map[string]string{
	"deepEqual":    "deepStrictEqual",
	"equal":        "strictEqual",
	"notDeepEqual": "notDeepStrictEqual",
	"notEqual":     "notStrictEqual",
}

var (
	modulesOnce sync.Once
	modules     map[string]string
)

// BuiltinModule returns the ES module source of a built-in module that workers
// may import, such as "node:assert", and whether specifier names one. The source
// relies only on the globals that Install defines. It is safe to call from any
// goroutine.
func BuiltinModule(specifier string) (source string, ok bool) {
	modulesOnce.Do(buildModules)
	source, ok = modules[specifier]
	return source, ok
}

func buildModules() {
	var base strings.Builder
	for _, name := range []string{"inspect.js", "assert_deep.js", "assert_error.js", "assert.js"} {
		src, err := scripts.ReadFile("js/" + name)
		if err != nil {
			panic(err) // the files are embedded, and TestBuiltinModuleNames reads them
		}
		base.Write(src)
		base.WriteString("\n")
	}
	loose := make([]string, len(assertExports))
	strict := make([]string, len(assertExports))
	for i, name := range assertExports {
		loose[i] = name
		strict[i] = name
		if target, ok := strictAliases[name]; ok {
			strict[i] = target + " as " + name
		}
	}
	modules = map[string]string{
		"node:assert": base.String() + "export default assert;\nexport { " +
			strings.Join(loose, ", ") + " };\n",
		"node:assert/strict": base.String() + "export default strict;\nexport { " +
			strings.Join(strict, ", ") + " };\n",
	}
}
