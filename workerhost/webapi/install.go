package webapi

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"runtime"
	"sync"

	"github.com/dop251/goja"
	nodeurl "github.com/dop251/goja_nodejs/url"
)

// Host provides the services that the globals need from the process around
// them: the event loop, logging and outbound requests.
type Host interface {
	// RunOnLoop schedules fn on the loop goroutine and returns false when the
	// loop has stopped. It must not block and may be called from any goroutine.
	RunOnLoop(fn func(*goja.Runtime)) bool

	// Log receives one console call. Level is "debug", "log", "info", "warn" or
	// "error", and message is already formatted. It is called on the loop goroutine.
	Log(level string, message string)

	// Fetch performs an outbound request for the global fetch(). It is called on
	// its own goroutine, never the loop, and may block until response headers
	// arrive. The response body is streamed into JavaScript and closed when the
	// stream ends or is cancelled. An error rejects the fetch() promise with a
	// TypeError carrying the error's message. The context is cancelled when the
	// request's AbortSignal fires or the response body is closed.
	Fetch(ctx context.Context, req *http.Request) (*http.Response, error)
}

//go:embed js/*.js
var scripts embed.FS

// preludeFiles lists the scripts of the Web APIs, in order: each one may use
// what the files before it put on the internal object. Install runs them,
// except those of lazyGroups, which run when worker code first uses them.
var preludeFiles = []string{
	"util.js",
	"encoding.js",
	"inspect.js",
	"console.js",
	"events.js",
	"readable.js",
	"readable_stream.js",
	"writable.js",
	"writable_writer.js",
	"readable_pipe.js",
	"transform.js",
	"headers.js",
	"body.js",
	"request.js",
	"statustext.js",
	"response.js",
	"fetch.js",
	"clone.js",
	"globals.js",
}

// preludeWrapper turns a script into a function of the internal object and the
// natives. The prefix has no line break, so line numbers in stack traces match
// the file.
const preludeWrapper = `(function (internal, native) { "use strict"; `

// compiledFile is a prelude file, compiled once per process on first use.
type compiledFile struct {
	once sync.Once
	prg  *goja.Program
	err  error
}

var compiledFiles = func() map[string]*compiledFile {
	m := make(map[string]*compiledFile, len(preludeFiles))
	for _, name := range preludeFiles {
		m[name] = &compiledFile{}
	}
	return m
}()

// compileFile returns the program of the prelude file name. It is safe to
// call from any goroutine.
func compileFile(name string) (*goja.Program, error) {
	c := compiledFiles[name]
	c.once.Do(func() { c.prg, c.err = compileSource(name) })
	return c.prg, c.err
}

func compileSource(name string) (*goja.Program, error) {
	src, err := scripts.ReadFile("js/" + name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	prg, err := goja.Compile("webapi/"+name, preludeWrapper+string(src)+"\n})", true)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	return prg, nil
}

// compileEager compiles the prelude files that Install runs, unless this
// process compiled them before, and then collects garbage. Compiling leaves
// most of what it allocates as garbage, in the same spans of the heap as
// the programs it keeps. After the collection, the objects that running the
// files creates fill those gaps, where they would otherwise take new spans.
// BenchmarkWorkerhostPSS in scripts/bench measured an idle workerhost
// 0.5 MB smaller with the collection, which takes 1 to 2 ms once per process.
func compileEager(lazy bool) error {
	compiled := false
	for _, name := range preludeFiles {
		if lazy && groupOf(name) != nil {
			continue
		}
		c := compiledFiles[name]
		c.once.Do(func() {
			c.prg, c.err = compileSource(name)
			compiled = true
		})
		if c.err != nil {
			return c.err
		}
	}
	if compiled {
		runtime.GC()
	}
	return nil
}

// Install defines the globals on rt. Call it on the loop goroutine, once per
// runtime, before any worker code runs; a second call returns an error. It
// replaces any console global already present. The globals of lazyGroups
// are complete from the start, as far as worker code can tell, but their
// scripts run on first use.
func Install(rt *goja.Runtime, host Host) error {
	return install(rt, host, true)
}

// install is Install, with the lazy groups run at once unless lazy is set.
// Tests compare the two.
func install(rt *goja.Runtime, host Host, lazy bool) error {
	if _, err := lookup(rt); err == nil {
		return fmt.Errorf("install web globals: already installed on this runtime")
	}
	st := &state{
		rt:           rt,
		host:         host,
		internal:     rt.NewObject(),
		lazy:         make(map[*lazyGroup]lazyState),
		pending:      make(map[string]*lazyGroup),
		placeholders: make(map[string]goja.Value),
	}
	st.natives = st.newNatives()

	if err := installURL(rt); err != nil {
		return fmt.Errorf("install web globals: %w", err)
	}
	if err := compileEager(lazy); err != nil {
		return fmt.Errorf("install web globals: %w", err)
	}
	for _, name := range preludeFiles {
		if err := st.installFile(name, lazy); err != nil {
			return fmt.Errorf("install web globals: %s: %w", name, err)
		}
	}
	if lazy {
		if err := st.wrapReflection(); err != nil {
			return fmt.Errorf("install web globals: %w", err)
		}
	}
	if err := st.bindInternal(st.internal); err != nil {
		return err
	}
	if !register(rt, st) {
		return fmt.Errorf("install web globals: already installed on this runtime")
	}
	return nil
}

// installFile runs the prelude file name, or, with lazy set and for the
// first file of a lazy group, defines the group's placeholders.
func (st *state) installFile(name string, lazy bool) error {
	g := groupOf(name)
	if g == nil || !lazy {
		return st.runFile(name)
	}
	if g.files[0] != name {
		return nil
	}
	return st.installLazy(g)
}

// runFile compiles the prelude file name, once per process, and runs it.
func (st *state) runFile(name string) error {
	prg, err := compileFile(name)
	if err != nil {
		return err
	}
	return runPreludeFile(st.rt, prg, st.internal, st.natives)
}

// installURL defines URL and URLSearchParams from goja_nodejs, which globals.js
// then adjusts.
func installURL(rt *goja.Runtime) error {
	module := rt.NewObject()
	exports := rt.NewObject()
	if err := module.Set("exports", exports); err != nil {
		return err
	}
	nodeurl.Require(rt, module)
	for _, name := range []string{"URL", "URLSearchParams"} {
		err := rt.GlobalObject().DefineDataProperty(name, exports.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if err != nil {
			return fmt.Errorf("define %s: %w", name, err)
		}
	}
	return nil
}

func runPreludeFile(rt *goja.Runtime, prg *goja.Program, internal, natives *goja.Object) error {
	fnValue, err := rt.RunProgram(prg)
	if err != nil {
		return err
	}
	fn, ok := goja.AssertFunction(fnValue)
	if !ok {
		return fmt.Errorf("script did not evaluate to a function")
	}
	_, err = fn(goja.Undefined(), internal, natives)
	return err
}
