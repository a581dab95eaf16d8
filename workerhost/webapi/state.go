package webapi

import (
	"fmt"

	"github.com/dop251/goja"
)

// state is the per-runtime data that Install creates. Its fields are set during
// Install and only read afterwards, and its JavaScript values are used on the
// loop goroutine.
type state struct {
	rt   *goja.Runtime
	host Host

	// Internal JavaScript helpers, bound from the internal object by bindInternal.
	makeRequest    goja.Callable // (method, url, flatHeaders, normalized, goBody|null) -> Request
	makeResponse   goja.Callable // (status, statusText, flatHeaders, normalized, goBody|null, url) -> Response
	exportRequest  goja.Callable // (value) -> {method, url, headers, reader, bytes, native} or null
	exportResponse goja.Callable // (value) -> {status, statusText, headers, reader, bytes, native} or null
	readChunk      goja.Callable // (reader, callback(chunk, done, errorMessage))
	cancelReader   goja.Callable // (reader, message)
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
