package engine

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"time"

	"github.com/dop251/goja"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost/webapi"
)

var (
	//go:embed helpers.js
	helpersSource string
	//go:embed loader.js
	loaderSource string
	//go:embed workers.js
	workersModuleSource string
)

// CodeTimeout is how long a getCode callback may take. The supervisor fails
// the worker for other callers after the same time.
var CodeTimeout = time.Minute

// newEnv builds the env object: the data of WorkerCode.env plus bindings.
func (e *Engine) newEnv(rt *goja.Runtime, bindings []*whpb.Binding) (*goja.Object, error) {
	env := rt.NewObject()
	if e.code.GetEnv() != nil {
		v, err := e.fromValue(rt, e.code.Env)
		if err != nil {
			return nil, fmt.Errorf("build env: %w", err)
		}
		if o, ok := v.(*goja.Object); ok {
			env = o
		}
	}

	var makeLoader goja.Callable
	for _, b := range bindings {
		l := b.GetLoader()
		if l == nil {
			return nil, fmt.Errorf("build env: binding %q has an unknown kind", b.Name)
		}
		if makeLoader == nil {
			factory, err := rt.RunScript("loader.js", loaderSource)
			if err != nil {
				return nil, fmt.Errorf("evaluate loader.js: %w", err)
			}
			makeLoader, _ = goja.AssertFunction(factory)
		}
		binding, err := makeLoader(goja.Undefined(), e.loaderNatives(rt, l.Id))
		if err != nil {
			return nil, fmt.Errorf("build env: binding %q: %w", b.Name, err)
		}
		if err := env.Set(b.Name, binding); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// hostObject is the __dwHost parameter of the bundle: what built-in modules
// and data modules read.
func (e *Engine) hostObject(rt *goja.Runtime) *goja.Object {
	o := rt.NewObject()
	_ = o.Set("env", e.env)
	_ = o.Set("moduleData", func(name string) goja.Value {
		for _, m := range e.code.Modules {
			if cleanName(m.Name) == name {
				return rt.ToValue(rt.NewArrayBuffer(append([]byte(nil), m.GetData()...)))
			}
		}
		panic(rt.NewTypeError("No such module %q.", name))
	})
	_ = o.Set("wasmModule", func(name string) goja.Value {
		// TODO: run wasm modules on wazero behind the WebAssembly API.
		panic(rt.NewTypeError("module %q is a wasm module, which dynworker does not run yet", name))
	})
	return o
}

// loaderNatives returns the Go functions behind one LOADER binding.
func (e *Engine) loaderNatives(rt *goja.Runtime, binding string) *goja.Object {
	n := rt.NewObject()
	_ = n.Set("codeTimeoutMs", CodeTimeout.Milliseconds())
	_ = n.Set("codeTimeoutText", CodeTimeout.String())

	_ = n.Set("lookup", func(id string) goja.Value {
		return e.async(rt, func(ctx context.Context) (func(*goja.Runtime) (goja.Value, error), error) {
			handle, token, err := e.host.LoaderGet(ctx, binding, id)
			return func(rt *goja.Runtime) (goja.Value, error) {
				o := rt.NewObject()
				_ = o.Set("handle", handle)
				_ = o.Set("token", token)
				return o, nil
			}, err
		})
	})

	_ = n.Set("provide", func(token string, code goja.Value) goja.Value {
		c, err := e.exportCode(rt, code)
		if err != nil {
			e.failToken(token, err)
			panic(jsError(rt, err))
		}
		return e.async(rt, func(ctx context.Context) (func(*goja.Runtime) (goja.Value, error), error) {
			handle, err := e.host.LoaderProvide(ctx, token, c, nil)
			return stringResult(handle), err
		})
	})

	_ = n.Set("fail", func(token string, reason goja.Value) {
		e.failToken(token, thrown(rt, e.helpers, reason))
	})

	_ = n.Set("load", func(code goja.Value) goja.Value {
		c, err := e.exportCode(rt, code)
		if err == nil {
			err = loader.Validate(c)
		}
		if err != nil {
			panic(jsError(rt, err))
		}
		return e.async(rt, func(ctx context.Context) (func(*goja.Runtime) (goja.Value, error), error) {
			handle, err := e.host.LoaderLoad(ctx, binding, c)
			return stringResult(handle), err
		})
	})

	_ = n.Set("thrownMessage", e.helpers.Get("thrownMessage"))
	_ = n.Set("cloneProps", func(props goja.Value) goja.Value {
		v, err := e.toCloneValue(rt, props)
		if err != nil {
			panic(jsError(rt, err))
		}
		return rt.ToValue(v)
	})

	_ = n.Set("fetch", func(handle, entrypoint string, props, request goja.Value) goja.Value {
		return e.fetchWorker(rt, handle, entrypoint, props, request)
	})
	_ = n.Set("call", func(handle, entrypoint string, props goja.Value, method string, args goja.Value) goja.Value {
		return e.callWorker(rt, handle, entrypoint, props, method, args)
	})
	return n
}

func (e *Engine) fetchWorker(rt *goja.Runtime, handle, entrypoint string, props, request goja.Value) goja.Value {
	target, err := e.target(rt, handle, entrypoint, props)
	if err != nil {
		panic(jsError(rt, err))
	}
	req, err := webapi.ExportRequest(rt, request)
	if err != nil {
		panic(jsError(rt, err))
	}
	return e.async(rt, func(ctx context.Context) (func(*goja.Runtime) (goja.Value, error), error) {
		resp, err := e.host.FetchWorker(ctx, target, req.WithContext(ctx))
		return func(rt *goja.Runtime) (goja.Value, error) {
			return webapi.NewResponse(rt, resp)
		}, markRemote(err)
	})
}

func (e *Engine) callWorker(rt *goja.Runtime, handle, entrypoint string, props goja.Value, method string, args goja.Value) goja.Value {
	target, err := e.target(rt, handle, entrypoint, props)
	if err != nil {
		panic(jsError(rt, err))
	}
	list, err := e.toValue(rt, args)
	if err != nil {
		panic(jsError(rt, err))
	}
	return e.async(rt, func(ctx context.Context) (func(*goja.Runtime) (goja.Value, error), error) {
		result, err := e.host.CallWorker(ctx, target, method, list.GetArray().GetItems())
		return func(rt *goja.Runtime) (goja.Value, error) {
			return e.fromValue(rt, result)
		}, markRemote(err)
	})
}

// target names an entrypoint of a loaded worker. props is undefined or
// the result of the cloneProps native.
func (e *Engine) target(rt *goja.Runtime, handle, entrypoint string, props goja.Value) (*pb.Target, error) {
	t := &pb.Target{Handle: handle, Entrypoint: entrypoint}
	if props == nil || goja.IsUndefined(props) {
		return t, nil
	}
	v, ok := props.Export().(*pb.Value)
	if !ok {
		return nil, fmt.Errorf("entrypoint props are not a cloned value: %s", props)
	}
	t.Props = v
	return t, nil
}

// failToken reports to the supervisor that the code for token will not come.
func (e *Engine) failToken(token string, err error) {
	se, ok := err.(*rpcerr.ScriptError)
	if !ok {
		se = &rpcerr.ScriptError{Name: "Error", Message: err.Error()}
	}
	go func() {
		_, _ = e.host.LoaderProvide(e.ctx, token, nil, se.Value())
	}()
}

// async runs work on a new goroutine and returns a promise that settles on
// the event loop with what work's continuation returns.
func (e *Engine) async(rt *goja.Runtime, work func(context.Context) (func(*goja.Runtime) (goja.Value, error), error)) goja.Value {
	promise, resolve, reject := rt.NewPromise()
	go func() {
		then, err := work(e.ctx)
		e.loop.RunOnLoop(func(rt *goja.Runtime) {
			if err != nil {
				_ = reject(jsError(rt, err))
				return
			}
			v, err := then(rt)
			if err != nil {
				_ = reject(jsError(rt, err))
				return
			}
			_ = resolve(v)
		})
	}()
	return rt.ToValue(promise)
}

func stringResult(s string) func(*goja.Runtime) (goja.Value, error) {
	return func(rt *goja.Runtime) (goja.Value, error) { return rt.ToValue(s), nil }
}

// webHost adapts the engine to what the web APIs need.
type webHost struct{ e *Engine }

func (h *webHost) RunOnLoop(fn func(*goja.Runtime)) bool { return h.e.loop.RunOnLoop(fn) }
func (h *webHost) Log(level, message string)             { h.e.host.Log(level, message) }
func (h *webHost) Fetch(ctx context.Context, req *http.Request) (*http.Response, error) {
	return h.e.fetchFollowing(ctx, req)
}
