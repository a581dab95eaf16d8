package webapi

import (
	"context"
	"embed"
	"fmt"
	"net/http"
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

// preludeFiles lists the scripts that Install runs, in order: each one may use
// what the files before it put on the internal object.
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

var (
	compileOnce sync.Once
	programs    []*goja.Program
	compileErr  error
)

func compilePrelude() ([]*goja.Program, error) {
	compileOnce.Do(func() {
		for _, name := range preludeFiles {
			src, err := scripts.ReadFile("js/" + name)
			if err != nil {
				compileErr = fmt.Errorf("read %s: %w", name, err)
				return
			}
			prg, err := goja.Compile("webapi/"+name, preludeWrapper+string(src)+"\n})", true)
			if err != nil {
				compileErr = fmt.Errorf("compile %s: %w", name, err)
				return
			}
			programs = append(programs, prg)
		}
	})
	return programs, compileErr
}

// Install defines the globals on rt. Call it on the loop goroutine, once per
// runtime, before any worker code runs; a second call returns an error. It
// replaces any console global already present.
func Install(rt *goja.Runtime, host Host) error {
	prgs, err := compilePrelude()
	if err != nil {
		return fmt.Errorf("install web globals: %w", err)
	}
	if _, err := lookup(rt); err == nil {
		return fmt.Errorf("install web globals: already installed on this runtime")
	}
	st := &state{rt: rt, host: host}

	if err := installURL(rt); err != nil {
		return fmt.Errorf("install web globals: %w", err)
	}
	internal := rt.NewObject()
	natives := st.natives()
	for i, prg := range prgs {
		if err := runPreludeFile(rt, prg, internal, natives); err != nil {
			return fmt.Errorf("install web globals: %s: %w", preludeFiles[i], err)
		}
	}
	if err := st.bindInternal(internal); err != nil {
		return err
	}
	if !register(rt, st) {
		return fmt.Errorf("install web globals: already installed on this runtime")
	}
	return nil
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
