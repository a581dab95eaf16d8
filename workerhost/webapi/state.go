package webapi

import (
	"fmt"

	"github.com/dop251/goja"
)

// state is the per-runtime data that Install creates. Its fields are used on
// the loop goroutine. Those above the lazy groups' fields are set during
// Install and only read afterwards.
type state struct {
	rt   *goja.Runtime
	host Host

	internal *goja.Object // the prelude's shared object, out of worker code's reach
	natives  *goja.Object // the Go functions the prelude scripts receive

	// Internal JavaScript helpers, bound from the internal object by bindInternal.
	makeRequest    goja.Callable // (method, url, flatHeaders, normalized, goBody|null) -> Request
	makeResponse   goja.Callable // (status, statusText, flatHeaders, normalized, goBody|null, url) -> Response
	exportRequest  goja.Callable // (value) -> whether value is a Request; the parts go to exportParts
	exportResponse goja.Callable // (value) -> whether value is a Response; the parts go to exportParts
	readChunk      goja.Callable // (reader, callback(chunk, done, errorMessage))
	cancelReader   goja.Callable // (reader, message)

	// exported holds the arguments of the last native.exportParts call until
	// takeExported reads them.
	exported exportedParts

	// originals are the builtins that reflect.go wraps, and Reflect.set, by
	// name, such as "Object.defineProperty".
	originals map[string]goja.Callable

	// The progress of the lazy groups (lazy.go).
	lazy         map[*lazyGroup]lazyState
	pending      map[string]*lazyGroup // lazy globals whose group has not run
	placeholders map[string]goja.Value // the getter of each lazy global's accessor
	defined      []string              // globals the running groups defined, for resetLazy
}

func (st *state) bindInternal(internal *goja.Object) error {
	bindings := []struct {
		name string
		dst  *goja.Callable
	}{
		{"makeRequest", &st.makeRequest},
		{"makeResponse", &st.makeResponse},
		{"exportRequest", &st.exportRequest},
		{"exportResponse", &st.exportResponse},
		{"readChunk", &st.readChunk},
		{"cancelReader", &st.cancelReader},
	}
	for _, b := range bindings {
		fn, ok := goja.AssertFunction(internal.Get(b.name))
		if !ok {
			return fmt.Errorf("install web globals: internal function %q is missing", b.name)
		}
		*b.dst = fn
	}
	return nil
}

// throwTypeError panics with a JavaScript TypeError, which goja turns into an
// exception thrown at the caller of the native function.
func throwTypeError(rt *goja.Runtime, format string, args ...any) {
	panic(rt.NewTypeError(append([]any{format}, args...)...))
}
