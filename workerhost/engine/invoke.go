package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"time"

	"github.com/dop251/goja"
	"google.golang.org/grpc/codes"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost/webapi"
)

// Fetch sends req to the fetch handler of the named entrypoint ("" is the
// default export) and returns its response, whose body streams from the
// worker. It blocks until the handler's promise settles or ctx ends.
func (e *Engine) Fetch(ctx context.Context, entrypoint string, props *pb.Value, req *http.Request) (*http.Response, error) {
	var resp *http.Response
	err := e.invoke(ctx, func(rt *goja.Runtime) (goja.Value, error) {
		jsReq, err := webapi.NewRequest(rt, req)
		if err != nil {
			return nil, err
		}
		p, exports, err := e.ctxParts(rt, props)
		if err != nil {
			return nil, err
		}
		return e.helper(rt, "fetch", e.exports, rt.ToValue(entrypoint), jsReq, e.env, p, exports)
	}, func(rt *goja.Runtime, v goja.Value) error {
		r, err := webapi.ExportResponse(rt, v)
		if errors.Is(err, webapi.ErrNotResponse) {
			return &rpcerr.ScriptError{Name: "TypeError", Message: "Incorrect type for Promise: the Promise did not resolve to 'Response'."}
		}
		if err != nil {
			return scriptError(rt, err)
		}
		resp = r
		return nil
	})
	return resp, err
}

// Call invokes method of the named entrypoint with args and returns its
// result. It blocks until the method's promise settles or ctx ends.
func (e *Engine) Call(ctx context.Context, entrypoint string, props *pb.Value, method string, args []*pb.Value) (*pb.Value, error) {
	var result *pb.Value
	err := e.invoke(ctx, func(rt *goja.Runtime) (goja.Value, error) {
		jsArgs, err := e.argsArray(rt, args)
		if err != nil {
			return nil, err
		}
		p, exports, err := e.ctxParts(rt, props)
		if err != nil {
			return nil, err
		}
		return e.helper(rt, "call", e.exports, rt.ToValue(entrypoint), rt.ToValue(method), jsArgs, e.env, p, exports)
	}, func(rt *goja.Runtime, v goja.Value) error {
		r, err := e.toValue(rt, v)
		result = r
		return err
	})
	return result, err
}

// Test runs the test handler of the named entrypoint, as workerd test does.
func (e *Engine) Test(ctx context.Context, entrypoint string) error {
	return e.invoke(ctx, func(rt *goja.Runtime) (goja.Value, error) {
		p, exports, err := e.ctxParts(rt, nil)
		if err != nil {
			return nil, err
		}
		return e.helper(rt, "test", e.exports, rt.ToValue(entrypoint), e.env, p, exports)
	}, func(*goja.Runtime, goja.Value) error { return nil })
}

// Exports describes the exports of the main module, as Load found them.
func (e *Engine) Exports() []*whpb.Export {
	return e.exportList
}

// invoke runs start on the event loop, waits for the value it returns to
// settle, then runs finish on the loop with the fulfilled value. A thrown or
// rejected value becomes a *rpcerr.ScriptError. Once invoke has returned,
// finish does not start.
func (e *Engine) invoke(ctx context.Context, start func(*goja.Runtime) (goja.Value, error), finish func(*goja.Runtime, goja.Value) error) error {
	inv := &invocation{start: start, finish: finish, done: make(chan error, 1)}
	id := e.invocations.add(inv)
	defer e.invocations.take(id)
	if !e.loop.RunOnLoop(func(rt *goja.Runtime) { e.runStart(rt, id, inv) }) {
		return ErrClosed
	}
	select {
	case err := <-inv.done:
		var se *rpcerr.ScriptError
		if errors.As(err, &se) && se.Name == "RangeError" && se.Message == stackOverflowMessage {
			e.broken.Store(true)
		}
		return err
	case <-ctx.Done():
		e.interruptIfBlocked()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return wallLimitError(ctx)
		}
		return ctx.Err()
	case <-e.ctx.Done():
		return ErrClosed
	}
}

// runStart runs the start step of inv on the event loop and passes the
// value it returns to settle, which calls back when the value settles.
func (e *Engine) runStart(rt *goja.Runtime, id int64, inv *invocation) {
	defer e.recoverInternal(inv.done)
	v, err := inv.start(rt)
	var ex *goja.Exception
	if errors.As(err, &ex) {
		// A value thrown synchronously is reported as a rejection is.
		deliver(inv, thrown(rt, e.helpers, ex.Value()))
		return
	}
	if err != nil {
		deliver(inv, scriptError(rt, err))
		return
	}
	fulfilled, rejected := e.callbacks(rt)
	if _, err := e.helper(rt, "settle", v, rt.ToValue(id), fulfilled, rejected); err != nil {
		deliver(inv, scriptError(rt, err))
	}
}

// blockedProbe is how long the event loop may take to run a no-op before
// interruptIfBlocked takes it for stuck in synchronous code.
const blockedProbe = 250 * time.Millisecond

// interruptIfBlocked interrupts the worker's JavaScript when the event loop
// does not run a no-op within blockedProbe, which means synchronous code,
// such as an endless loop, holds it. goja discards the pending promise jobs
// when interrupted, so the engine is marked broken and its workerhost
// exits after replying.
func (e *Engine) interruptIfBlocked() {
	probe := make(chan struct{})
	if !e.loop.RunOnLoop(func(*goja.Runtime) { close(probe) }) {
		return
	}
	select {
	case <-probe:
	case <-time.After(blockedProbe):
		e.broken.Store(true)
		e.rt.Interrupt(errInterrupted)
	}
}

var errInterrupted = errors.New("worker interrupted: its JavaScript ran past the call's limit")

// wallLimitError is the error of a call that ran past its deadline.
func wallLimitError(ctx context.Context) error {
	msg := "Worker exceeded its wall-clock time limit."
	if limit, ok := ctx.Value(wallLimitKey{}).(time.Duration); ok {
		msg = fmt.Sprintf("Worker exceeded its wall-clock time limit of %s.", limit)
	}
	return &rpcerr.ScriptError{Name: "Error", Message: msg, Code: codes.DeadlineExceeded}
}

type wallLimitKey struct{}

// WithWallLimit returns a context that ends limit from now and names the
// limit in the error of a call it ends.
func WithWallLimit(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, wallLimitKey{}, limit)
	return context.WithTimeout(ctx, limit)
}

// stackOverflowMessage is V8's message for exceeding the call stack.
const stackOverflowMessage = "Maximum call stack size exceeded"

// Broken reports whether the runtime may be left inconsistent, after a
// stack overflow: goja then abandons the promise jobs it was running, so
// the workerhost should exit and let the supervisor start a fresh one.
func (e *Engine) Broken() bool { return e.broken.Load() }

// errInternal is what a caller sees when the engine itself failed.
var errInternal = errors.New("internal error in the workerhost; the supervisor log has the details")

// recoverInternal turns a Go panic on the event loop into errInternal sent
// on done, and logs it with its stack, so a bug in the engine fails one
// call instead of the whole worker.
func (e *Engine) recoverInternal(done chan<- error) {
	if r := recover(); r != nil {
		e.logPanic(r)
		select {
		case done <- errInternal:
		default:
		}
	}
}

// logPanic logs a recovered panic with the stack of the goroutine that
// recovered it.
func (e *Engine) logPanic(r any) {
	e.host.Log("error", fmt.Sprintf("workerhost panic: %v\n%s", r, debug.Stack()))
}

// helper calls one of the functions of helpers.js. Call it on the event
// loop.
func (e *Engine) helper(rt *goja.Runtime, name string, args ...goja.Value) (goja.Value, error) {
	fn, ok := e.helperFuncs[name]
	if !ok {
		if fn, ok = goja.AssertFunction(e.helpers.Get(name)); !ok {
			return nil, fmt.Errorf("engine helper %s is not a function", name)
		}
		if e.helperFuncs == nil {
			e.helperFuncs = make(map[string]goja.Callable)
		}
		e.helperFuncs[name] = fn
	}
	return fn(goja.Undefined(), args...)
}

// argsArray converts the arguments of an RPC call into the array that the
// call helper takes. Without arguments it is undefined, for which the helper
// uses one shared empty array, since goja spends about 600 bytes on each new
// array.
func (e *Engine) argsArray(rt *goja.Runtime, args []*pb.Value) (goja.Value, error) {
	if len(args) == 0 {
		return goja.Undefined(), nil
	}
	jsArgs := make([]any, len(args))
	for i, a := range args {
		v, err := e.fromValue(rt, a)
		if err != nil {
			return nil, err
		}
		jsArgs[i] = v
	}
	return rt.NewArray(jsArgs...), nil
}

// ctxParts returns the props and exports of the ctx that helpers.js makes
// for one invocation. The handler helpers make the ctx themselves, so that
// making it costs no call from Go into JavaScript.
func (e *Engine) ctxParts(rt *goja.Runtime, props *pb.Value) (p, exports goja.Value, err error) {
	p = goja.Undefined()
	if props != nil {
		if p, err = e.fromValue(rt, props); err != nil {
			return nil, nil, err
		}
	}
	exports = goja.Undefined()
	if ctxExportsEnabled(e.code) {
		// TODO: fill ctx.exports with loopback stubs of the worker's exports.
		exports = rt.NewObject()
	}
	return p, exports, nil
}

// ctxExportsEnabled reports whether a worker has ctx.exports: from
// compatibility date 2025-11-17, or with the enable_ctx_exports flag, as in
// workerd.
func ctxExportsEnabled(code *pb.WorkerCode) bool {
	return code.GetCompatibilityDate() >= "2025-11-17" || slices.Contains(code.GetCompatibilityFlags(), "enable_ctx_exports")
}

// scriptError converts an error from goja into a Go error: a thrown value
// becomes a *rpcerr.ScriptError.
func scriptError(rt *goja.Runtime, err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return exceptionError(rt, ex)
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		// goja's stack overflow cannot be caught by the worker, unlike V8's;
		// the call fails with the error V8 would throw.
		return &rpcerr.ScriptError{Name: "RangeError", Message: stackOverflowMessage, Stack: so.String()}
	}
	var se *rpcerr.ScriptError
	if errors.As(err, &se) {
		return se
	}
	return err
}

func exceptionError(rt *goja.Runtime, ex *goja.Exception) error {
	v := ex.Value()
	if o, ok := v.(*goja.Object); ok {
		name := o.Get("name")
		msg := o.Get("message")
		if name != nil && msg != nil {
			return &rpcerr.ScriptError{Name: name.String(), Message: msg.String(), Stack: ex.String()}
		}
	}
	return &rpcerr.ScriptError{Name: "Error", Message: v.String(), Stack: ex.String()}
}

// thrown converts a rejection value into a *rpcerr.ScriptError.
func thrown(rt *goja.Runtime, helpers *goja.Object, v goja.Value) error {
	fn, _ := goja.AssertFunction(helpers.Get("errorInfo"))
	info, err := fn(goja.Undefined(), v)
	if err != nil {
		return &rpcerr.ScriptError{Name: "Error", Message: "worker threw a value that cannot be described"}
	}
	o := info.ToObject(rt)
	return &rpcerr.ScriptError{
		Name:    o.Get("name").String(),
		Message: o.Get("message").String(),
		Stack:   o.Get("stack").String(),
	}
}

// jsError turns a Go error into a JavaScript error object, keeping the
// name of a *rpcerr.ScriptError.
func jsError(rt *goja.Runtime, err error) goja.Value {
	name, msg, stack := "Error", err.Error(), ""
	var se *rpcerr.ScriptError
	if errors.As(err, &se) {
		name, msg, stack = se.Name, se.Message, se.Stack
	}
	v := newError(rt, name, msg, stack)
	var re *remoteError
	if o, ok := v.(*goja.Object); ok && errors.As(err, &re) && se != nil {
		// workerd marks errors thrown by another worker this way.
		_ = o.Set("remote", true)
	}
	return v
}

// remoteError marks an error that came back from a call to another worker.
type remoteError struct{ err error }

func (e *remoteError) Error() string { return e.err.Error() }
func (e *remoteError) Unwrap() error { return e.err }

func markRemote(err error) error {
	if err == nil {
		return nil
	}
	return &remoteError{err: err}
}

// newError builds the error a caller sees for name and msg. Built-in error
// names keep their class, DOMException names become a DOMException, and
// any other name is folded into the message of a plain Error, as workerd
// does for a custom Error subclass.
func newError(rt *goja.Runtime, name, msg, stack string) goja.Value {
	var obj *goja.Object
	var err error
	switch {
	case isErrorName(name):
		ctor, _ := goja.AssertConstructor(rt.Get(name))
		obj, err = ctor(nil, rt.ToValue(msg))
	case name == "AggregateError":
		// A thrown AggregateError keeps its class, without its errors.
		if ctor, ok := goja.AssertConstructor(rt.Get(name)); ok {
			obj, err = ctor(nil, rt.NewArray(), rt.ToValue(msg))
		}
	case isDOMExceptionName(name):
		if ctor, ok := goja.AssertConstructor(rt.Get("DOMException")); ok {
			obj, err = ctor(nil, rt.ToValue(msg), rt.ToValue(name))
		}
	}
	if obj == nil || err != nil {
		if name != "" && name != "Error" {
			msg = name + ": " + msg
		}
		ctor, _ := goja.AssertConstructor(rt.Get("Error"))
		if obj, err = ctor(nil, rt.ToValue(msg)); err != nil {
			return rt.ToValue(msg)
		}
	}
	if stack != "" {
		_ = obj.Set("stack", stack)
	}
	return obj
}

func isDOMExceptionName(name string) bool {
	switch name {
	case "DataCloneError", "AbortError", "TimeoutError", "NotSupportedError", "InvalidStateError", "SyntaxError":
		return true
	}
	return false
}

func isErrorName(name string) bool {
	switch name {
	case "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError":
		return true
	}
	return false
}
