package webapi

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/dop251/goja"
)

type redirectKey struct{}

// FetchRedirect returns the redirect mode of the fetch() call that made ctx:
// "follow" (the default) or "manual", in which case Host.Fetch should return
// redirect responses instead of following them.
func FetchRedirect(ctx context.Context) string {
	if mode, ok := ctx.Value(redirectKey{}).(string); ok {
		return mode
	}
	return "follow"
}

// nativeFetch takes a Request and its redirect mode, starts Host.Fetch on a new
// goroutine, and returns {promise, abort}. It throws when the Request cannot be
// exported, for example because its body was already used.
func (st *state) nativeFetch(call goja.FunctionCall) goja.Value {
	rt := st.rt
	req, err := st.exportRequestValue(call.Argument(0))
	if err != nil {
		throwError(rt, err)
	}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), redirectKey{}, call.Argument(1).String()))
	req = req.WithContext(ctx)

	promise, resolve, reject := rt.NewPromise()
	go st.runFetch(req, cancel, resolve, reject)

	result := rt.NewObject()
	err = errors.Join(
		result.Set("promise", promise),
		result.Set("abort", func(goja.FunctionCall) goja.Value {
			cancel()
			return goja.Undefined()
		}),
	)
	if err != nil {
		cancel()
		throwError(rt, err)
	}
	return result
}

// runFetch calls Host.Fetch and settles the fetch() promise on the loop. The
// context stays alive until the response body is closed, since cancelling it
// would stop the body.
func (st *state) runFetch(req *http.Request, cancel context.CancelFunc, resolve, reject func(any) error) {
	resp, err := st.host.Fetch(req.Context(), req)
	if err == nil && resp == nil {
		err = errors.New("fetch returned no response")
	}
	if err != nil {
		cancel()
		closeBody(req.Body)
		if resp != nil {
			closeBody(resp.Body)
			resp = nil
		}
	} else {
		resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	}
	posted := st.host.RunOnLoop(func(rt *goja.Runtime) {
		if err != nil {
			_ = reject(fetchError(rt, err))
			return
		}
		v, convErr := st.newResponse(resp, req.URL.String())
		if convErr != nil {
			closeBody(resp.Body)
			_ = reject(rt.NewTypeError("%s", convErr.Error()))
			return
		}
		_ = resolve(v)
	})
	if !posted && resp != nil {
		closeBody(resp.Body)
	}
}

// cancelOnClose cancels the fetch context when the response body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// throwError throws err in JavaScript: a JavaScript exception keeps its value,
// and any other error becomes a TypeError.
func throwError(rt *goja.Runtime, err error) {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		panic(ex.Value())
	}
	panic(rt.NewTypeError("%s", err.Error()))
}

// NamedError is an error that fetch() rejects with under its own JavaScript
// error name, rather than as a TypeError: for example the error workerd
// gives when a worker may not reach the network.
type NamedError interface {
	error
	JSName() string
	JSMessage() string
}

// fetchError returns the value a failed fetch() rejects with.
func fetchError(rt *goja.Runtime, err error) goja.Value {
	var named NamedError
	if errors.As(err, &named) {
		if ctor, ok := goja.AssertConstructor(rt.Get(named.JSName())); ok {
			if obj, cerr := ctor(nil, rt.ToValue(named.JSMessage())); cerr == nil {
				return obj
			}
		}
	}
	return rt.NewTypeError("%s", err.Error())
}
