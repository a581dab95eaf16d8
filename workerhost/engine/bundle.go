package engine

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	"github.com/dynworker/dynworker/workerhost/webapi"
)

const (
	moduleNamespace  = "dynworker-module"
	builtinNamespace = "dynworker-builtin"
)

// sourceMapComment matches source map references, which are removed before
// bundling: a worker must never make the workerhost open a file it names.
var sourceMapComment = regexp.MustCompile(`(?m)^[ \t]*//[#@][ \t]*sourceMappingURL=.*$`)

// bundle links the module graph of code into one script that assigns the
// main module's exports to __dwExports. Relative imports resolve against
// the importing module's name; "cloudflare:workers" and the node: modules
// resolve to built-in sources.
func bundle(code *pb.WorkerCode) (string, error) {
	modules := make(map[string]*pb.Module, len(code.Modules))
	for _, m := range code.Modules {
		modules[cleanName(m.Name)] = m
	}
	main := code.MainModule
	if main == "" {
		main = "undefined"
	}
	if modules[cleanName(main)] == nil {
		return "", &rpcerr.ScriptError{Name: "Error", Message: "No such module: " + main}
	}
	result := api.Build(api.BuildOptions{
		EntryPoints: []string{cleanName(code.MainModule)},
		Bundle:      true,
		Write:       false,
		Format:      api.FormatIIFE,
		GlobalName:  "__dwExports",
		Platform:    api.PlatformNeutral,
		Target:      api.ES2017,
		Sourcemap:   api.SourceMapNone,
		LogLevel:    api.LogLevelSilent,
		Charset:     api.CharsetUTF8,
		Plugins:     []api.Plugin{modulePlugin(modules)},
	})
	if len(result.Errors) > 0 {
		return "", bundleError(result.Errors)
	}
	if len(result.OutputFiles) != 1 {
		return "", fmt.Errorf("bundle modules: got %d output files, want 1", len(result.OutputFiles))
	}
	return string(result.OutputFiles[0].Contents), nil
}

func modulePlugin(modules map[string]*pb.Module) api.Plugin {
	return api.Plugin{
		Name: "dynworker-modules",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				return resolveModule(modules, args)
			})
			b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: moduleNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				return loadModule(modules[args.Path], args.Path)
			})
			b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: builtinNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				return loadBuiltin(args.Path)
			})
		},
	}
}

func resolveModule(modules map[string]*pb.Module, args api.OnResolveArgs) (api.OnResolveResult, error) {
	spec := args.Path
	if _, ok := builtinSource(spec); ok {
		return api.OnResolveResult{Path: spec, Namespace: builtinNamespace}, nil
	}
	name := cleanName(spec)
	if args.Kind != api.ResolveEntryPoint && (strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../")) {
		name = cleanName(path.Join(path.Dir(args.Importer), spec))
	}
	if _, ok := modules[name]; ok {
		return api.OnResolveResult{Path: name, Namespace: moduleNamespace}, nil
	}
	msg := fmt.Sprintf("No such module %q.", name)
	if args.Importer != "" {
		msg += fmt.Sprintf("\n  imported from %q", args.Importer)
	}
	return api.OnResolveResult{}, fmt.Errorf("%s", msg)
}

func loadModule(m *pb.Module, name string) (api.OnLoadResult, error) {
	if m == nil {
		return api.OnLoadResult{}, fmt.Errorf("No such module %q.", name)
	}
	var src string
	loader := api.LoaderJS
	switch c := m.Content.(type) {
	case *pb.Module_Js:
		src, loader = stripSourceMaps(c.Js), scriptLoader(name)
	case *pb.Module_Cjs:
		src = stripSourceMaps(c.Cjs)
	case *pb.Module_Text:
		src, loader = c.Text, api.LoaderText
	case *pb.Module_Json:
		src, loader = c.Json, api.LoaderJSON
	case *pb.Module_Data:
		src = fmt.Sprintf("export default __dwHost.moduleData(%q);", name)
	case *pb.Module_Wasm:
		src = fmt.Sprintf("export default __dwHost.wasmModule(%q);", name)
	default:
		return api.OnLoadResult{}, fmt.Errorf("module %q has no content", name)
	}
	return api.OnLoadResult{Contents: &src, Loader: loader}, nil
}

func loadBuiltin(specifier string) (api.OnLoadResult, error) {
	src, ok := builtinSource(specifier)
	if !ok {
		return api.OnLoadResult{}, fmt.Errorf("No such module %q.", specifier)
	}
	return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS}, nil
}

func builtinSource(specifier string) (string, bool) {
	if specifier == "cloudflare:workers" {
		return workersModuleSource, true
	}
	if src, ok := webapi.BuiltinModule(specifier); ok {
		return src, true
	}
	if !strings.HasPrefix(specifier, "node:") {
		return webapi.BuiltinModule("node:" + specifier)
	}
	return "", false
}

// scriptLoader picks the esbuild loader for an ES module by its name, so
// TypeScript, TSX and JSX run as given.
func scriptLoader(name string) api.Loader {
	switch path.Ext(name) {
	case ".ts", ".mts", ".cts":
		return api.LoaderTS
	case ".tsx":
		return api.LoaderTSX
	case ".jsx":
		return api.LoaderJSX
	}
	return api.LoaderJS
}

func stripSourceMaps(src string) string {
	if !strings.Contains(src, "sourceMappingURL") {
		return src
	}
	return sourceMapComment.ReplaceAllString(src, "")
}

func cleanName(name string) string {
	name = path.Clean("/" + name)
	return strings.TrimPrefix(name, "/")
}

// bundleError turns esbuild's messages into one error, with the position of
// the first and a clear message for top-level await.
func bundleError(msgs []api.Message) error {
	m := msgs[0]
	where := ""
	if loc := m.Location; loc != nil {
		file := strings.TrimPrefix(strings.TrimPrefix(loc.File, moduleNamespace+":"), builtinNamespace+":")
		where = fmt.Sprintf("%s:%d:%d: ", file, loc.Line, loc.Column+1)
	}
	text := m.Text
	if strings.Contains(text, "Top-level await") {
		text = "top-level await is not supported: move the await into a handler or a function called by one"
	}
	for _, n := range m.Notes {
		if n.Text != "" {
			text += "\n  " + n.Text
		}
	}
	if strings.HasPrefix(text, "No such module") {
		return &rpcerr.ScriptError{Name: "Error", Message: text}
	}
	return &rpcerr.ScriptError{Name: "SyntaxError", Message: where + text}
}
