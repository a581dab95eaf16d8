package webapi

import (
	"runtime"
	"sync"
	"weak"

	"github.com/dop251/goja"
)

// installed maps each runtime to its state. Both sides are weak pointers, so an
// entry keeps neither the runtime nor the state alive. The state stays alive
// through the native functions it installed, which the runtime references. A
// cleanup removes the entry once the runtime is collected.
// NOTE: worker code that deletes every global built on those natives, and drops
// all their instances, lets the state be collected early. The exported
// functions then return ErrNotInstalled.
var installed sync.Map // weak.Pointer[goja.Runtime] -> weak.Pointer[state]

func register(rt *goja.Runtime, st *state) bool {
	key := weak.Make(rt)
	if _, loaded := installed.LoadOrStore(key, weak.Make(st)); loaded {
		return false
	}
	runtime.AddCleanup(rt, func(k weak.Pointer[goja.Runtime]) { installed.Delete(k) }, key)
	return true
}

func lookup(rt *goja.Runtime) (*state, error) {
	v, ok := installed.Load(weak.Make(rt))
	if !ok {
		return nil, ErrNotInstalled
	}
	st := v.(weak.Pointer[state]).Value()
	if st == nil {
		return nil, ErrNotInstalled
	}
	return st, nil
}
