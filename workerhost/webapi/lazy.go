package webapi

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dop251/goja"
)

// lazyGroup is a run of prelude files that Install does not run. In their
// place it defines each of their globals as an accessor, in the files'
// order, and the first read or write of one runs the files. Their
// defineGlobal calls turn each accessor into a data property in place, so
// the keys of globalThis keep the order they have when the files run at
// once. A reflection function that could show an accessor runs the group
// first (reflect.go). A worker that never uses a group keeps neither its
// code nor its objects in memory.
//
// NOTE: a group's files run when worker code first uses the group, so their
// top-level code uses the builtins as the worker left them, and it counts
// against the CPU time and call stack of that invocation.
type lazyGroup struct {
	files []string
	// globals are the globals the files define, in the order they define
	// them. TestLazyGlobalsMatchEager checks the list against the files.
	globals []string
	// internals are the names on the internal object that files outside
	// the group read. Reading one runs the group.
	internals []string
	// stubs are internal functions that files outside the group call with
	// any value to ask whether it belongs to the group. Until the group
	// runs, no value does, so each stub returns undefined.
	stubs []string
}

// lazyGroups are the Web APIs that an idle worker seldom uses: streams,
// events, inspect (which console uses for non-string arguments) and
// structuredClone.
var lazyGroups = []*lazyGroup{
	{
		files:     []string{"inspect.js"},
		internals: []string{"inspect"},
	},
	{
		files:   []string{"events.js"},
		globals: []string{"Event", "EventTarget", "AbortSignal", "AbortController"},
	},
	{
		files: []string{
			"readable.js", "readable_stream.js", "writable.js", "writable_writer.js",
			"readable_pipe.js", "transform.js",
		},
		globals: []string{
			"ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamDefaultController",
			"WritableStream", "WritableStreamDefaultController", "WritableStreamDefaultWriter",
			"TransformStream", "TransformStreamDefaultController", "IdentityTransformStream",
		},
		internals: []string{"ReadableStream", "ReaderState", "lockedMessage"},
		stubs:     []string{"streamState"},
	},
	{
		files:   []string{"clone.js"},
		globals: []string{"structuredClone"},
	},
}

// groupOf returns the lazy group that file belongs to, or nil.
func groupOf(file string) *lazyGroup {
	for _, g := range lazyGroups {
		for _, f := range g.files {
			if f == file {
				return g
			}
		}
	}
	return nil
}

// lazyState is the progress of one lazy group in one runtime.
type lazyState int

const (
	lazyPending lazyState = iota
	lazyRunning
	lazyDone
)

// installLazy defines the placeholders of g: an accessor for each global
// and each internal name, and a stub for each stub name.
func (st *state) installLazy(g *lazyGroup) error {
	st.lazy[g] = lazyPending
	for _, name := range g.globals {
		get, set := st.placeholder(g, name)
		st.placeholders[name] = get
		st.pending[name] = g
		err := st.rt.GlobalObject().DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if err != nil {
			return fmt.Errorf("define lazy global %s: %w", name, err)
		}
	}
	return st.installLazyInternals(g)
}

func (st *state) installLazyInternals(g *lazyGroup) error {
	for _, name := range g.internals {
		get := st.rt.ToValue(func(goja.FunctionCall) goja.Value {
			st.runLazy(g)
			return valueOrUndefined(st.internal.Get(name))
		})
		err := st.internal.DefineAccessorProperty(name, get, goja.Undefined(), goja.FLAG_TRUE, goja.FLAG_FALSE)
		if err != nil {
			return fmt.Errorf("define lazy internal %s: %w", name, err)
		}
	}
	stub := st.rt.ToValue(func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	for _, name := range g.stubs {
		if err := st.internal.Set(name, stub); err != nil {
			return fmt.Errorf("define lazy internal %s: %w", name, err)
		}
	}
	return nil
}

// placeholder returns the getter and setter of the lazy global name. Each
// runs the group and then does what a read or write of the data property
// does. A read while the group runs, from its own files, finds the global
// not yet defined.
func (st *state) placeholder(g *lazyGroup, name string) (get, set goja.Value) {
	get = st.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		if st.lazy[g] == lazyRunning {
			return goja.Undefined()
		}
		st.runLazy(g)
		return valueOrUndefined(st.rt.GlobalObject().Get(name))
	})
	set = st.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		st.runLazy(g)
		global := st.rt.GlobalObject()
		if call.This == global {
			if err := global.Set(name, call.Argument(0)); err != nil {
				panic(err)
			}
			return goja.Undefined()
		}
		// An object that inherits from globalThis, or a Proxy of it, gets an
		// own property, as a write through a data property gives it.
		st.callOriginal("Reflect.set", global, st.rt.ToValue(name), call.Argument(0), call.This)
		return goja.Undefined()
	})
	return get, set
}

// runLazy runs the files of g unless they ran or run already. An error
// thrown while they run, or an interrupt, goes on to the caller.
func (st *state) runLazy(g *lazyGroup) {
	if st.lazy[g] != lazyPending {
		return
	}
	err := st.runGroup(g)
	var ex *goja.Exception
	var interrupted *goja.InterruptedError
	switch {
	case err == nil:
	case errors.As(err, &ex):
		panic(ex) // goja throws it on to the caller
	case errors.As(err, &interrupted):
		panic(interrupted) // goja goes on unwinding the interrupted call
	default:
		panic(st.rt.NewGoError(err))
	}
}

// runGroup runs the files of g. When one fails, it puts back g's
// placeholders, including those of the globals the files defined before,
// so the next access runs the files again from the start.
func (st *state) runGroup(g *lazyGroup) error {
	st.lazy[g] = lazyRunning
	mark := len(st.defined)
	defer func() { st.defined = st.defined[:mark] }()

	for _, name := range slices.Concat(g.internals, g.stubs) {
		if err := st.internal.Delete(name); err != nil {
			st.resetLazy(g, nil)
			return fmt.Errorf("remove lazy internal %s: %w", name, err)
		}
	}
	for _, file := range g.files {
		if err := st.runFile(file); err != nil {
			st.resetLazy(g, st.defined[mark:])
			return fmt.Errorf("install %s: %w", file, err)
		}
	}
	st.lazy[g] = lazyDone
	for _, name := range g.globals {
		delete(st.pending, name)
	}
	return nil
}

// resetLazy puts back the placeholders of g's internal names and of the
// globals in defined.
func (st *state) resetLazy(g *lazyGroup, defined []string) {
	for _, name := range defined {
		if st.pending[name] != g {
			continue
		}
		get, set := st.placeholder(g, name)
		st.placeholders[name] = get
		_ = st.rt.GlobalObject().DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	_ = st.installLazyInternals(g)
	st.lazy[g] = lazyPending
}

// runAllLazy runs every group that has not run yet.
func (st *state) runAllLazy() {
	for _, g := range lazyGroups {
		st.runLazy(g)
	}
}

// nativeDefineGlobal defines a global as Web IDL does: writable,
// configurable and not enumerable. While a lazy group runs, it skips each
// global of the group whose placeholder worker code has deleted or replaced.
// Run at once, the files would have defined it before the worker's change.
func (st *state) nativeDefineGlobal(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	g := st.pending[name]
	running := g != nil && st.lazy[g] == lazyRunning
	if running && !st.isPlaceholder(name) {
		return goja.Undefined()
	}
	global := st.rt.GlobalObject()
	err := global.DefineDataProperty(name, call.Argument(1), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if err != nil {
		panic(err)
	}
	if running {
		st.defined = append(st.defined, name)
	}
	return goja.Undefined()
}

// isPlaceholder reports whether the global name is still the accessor that
// installLazy defined.
func (st *state) isPlaceholder(name string) bool {
	desc := st.callOriginal("Object.getOwnPropertyDescriptor", st.rt.GlobalObject(), st.rt.ToValue(name))
	if goja.IsUndefined(desc) {
		return false
	}
	get := desc.ToObject(st.rt).Get("get")
	return get != nil && get.SameAs(st.placeholders[name])
}

// valueOrUndefined returns v, or undefined for the nil that goja's Get
// returns for a missing property.
func valueOrUndefined(v goja.Value) goja.Value {
	if v == nil {
		return goja.Undefined()
	}
	return v
}
