package webapi

import (
	"fmt"
	"reflect"

	"github.com/dop251/goja"
)

// reflectionFuncs are the builtins that can show that a lazy global is an
// accessor, or that behave differently on an accessor: they read or define
// property descriptors, or freeze, seal or close an object. Install puts a
// wrapper in place of each, with the same name, length and attributes. When
// a wrapper is called on globalThis, or on any Proxy, which may stand for
// it, it runs the lazy groups involved first. Every other call goes straight
// to the builtin.
var reflectionFuncs = []struct {
	owner, name string
	// every is set for a function that affects every property of the
	// object, rather than the one its second argument names.
	every bool
}{
	{"Object", "getOwnPropertyDescriptor", false},
	{"Object", "getOwnPropertyDescriptors", true},
	{"Object", "defineProperty", false},
	{"Object", "defineProperties", true},
	{"Object", "freeze", true},
	{"Object", "seal", true},
	{"Object", "preventExtensions", true},
	{"Reflect", "getOwnPropertyDescriptor", false},
	{"Reflect", "defineProperty", false},
	{"Reflect", "preventExtensions", true},
}

var proxyType = reflect.TypeOf(goja.Proxy{})

// wrapReflection keeps the builtins of reflectionFuncs, and Reflect.set,
// for callOriginal, and puts the wrappers in their place.
func (st *state) wrapReflection() error {
	st.originals = make(map[string]goja.Callable, len(reflectionFuncs)+1)
	if _, err := st.keepOriginal("Reflect", "set"); err != nil {
		return err
	}
	for _, f := range reflectionFuncs {
		original, err := st.keepOriginal(f.owner, f.name)
		if err != nil {
			return err
		}
		wrapper, err := st.newReflectionWrapper(original, f.every)
		if err != nil {
			return fmt.Errorf("wrap %s.%s: %w", f.owner, f.name, err)
		}
		owner := st.rt.GlobalObject().Get(f.owner).ToObject(st.rt)
		if err := owner.DefineDataProperty(f.name, wrapper, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("wrap %s.%s: %w", f.owner, f.name, err)
		}
	}
	return nil
}

// keepOriginal stores the builtin owner.name for callOriginal and returns
// it as an object.
func (st *state) keepOriginal(owner, name string) (*goja.Object, error) {
	value := st.rt.GlobalObject().Get(owner).ToObject(st.rt).Get(name)
	fn, ok := goja.AssertFunction(value)
	if !ok {
		return nil, fmt.Errorf("wrap %s.%s: not a function", owner, name)
	}
	st.originals[owner+"."+name] = fn
	return value.ToObject(st.rt), nil
}

// newReflectionWrapper returns a native function that runs the lazy groups
// its arguments may show and then calls original with the same this and
// arguments. It copies original's name and length.
func (st *state) newReflectionWrapper(original *goja.Object, every bool) (*goja.Object, error) {
	fn, _ := goja.AssertFunction(original)
	wrapper := st.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		st.runLazyFor(call.Argument(0), call.Argument(1), every)
		result, err := fn(call.This, call.Arguments...)
		if err != nil {
			panic(err) // goja throws an *Exception on to the caller
		}
		return result
	}).ToObject(st.rt)
	for _, prop := range []string{"name", "length"} {
		err := wrapper.DefineDataProperty(prop, original.Get(prop), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if err != nil {
			return nil, err
		}
	}
	return wrapper, nil
}

// runLazyFor runs the lazy groups that a reflection function called on
// target may show: the group of key when target is globalThis. It runs every
// group when the function affects every property or target is a Proxy. So
// it does when key is an object, whose conversion to a name must run only
// once, in the builtin.
func (st *state) runLazyFor(target, key goja.Value, every bool) {
	if len(st.pending) == 0 {
		return
	}
	obj, ok := target.(*goja.Object)
	if !ok {
		return
	}
	if obj.ExportType() == proxyType {
		st.runAllLazy()
		return
	}
	if obj != st.rt.GlobalObject() {
		return
	}
	if _, isObject := key.(*goja.Object); every || isObject {
		st.runAllLazy()
		return
	}
	if g := st.pending[key.String()]; g != nil {
		st.runLazy(g)
	}
}

// callOriginal calls a builtin that wrapReflection kept, such as
// "Object.getOwnPropertyDescriptor", with undefined as this, and throws its
// error on to the JavaScript caller.
func (st *state) callOriginal(name string, args ...goja.Value) goja.Value {
	result, err := st.originals[name](goja.Undefined(), args...)
	if err != nil {
		panic(err)
	}
	return result
}
