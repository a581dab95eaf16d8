package engine

import (
	"sync"

	"github.com/dop251/goja"
)

// invocation is one call into the worker, from the moment invoke posts it to
// the event loop until its caller has the outcome.
type invocation struct {
	start  func(*goja.Runtime) (goja.Value, error)
	finish func(*goja.Runtime, goja.Value) error
	done   chan error // buffered for the one outcome that the caller reads
}

// invocations is the table of invocations whose returned value has not
// settled yet, keyed by an id that settle in helpers.js passes back to the
// fulfilled and rejected callbacks. The ids let every invocation share the
// two callbacks, where a pair of Go functions per call would cost goja two
// function objects.
type invocations struct {
	// fulfilled and rejected are the callbacks as JavaScript values. The
	// event loop creates them on first use and is the only goroutine that
	// reads them.
	fulfilled, rejected goja.Value

	mu      sync.Mutex
	lastID  int64
	pending map[int64]*invocation
}

// add registers inv and returns its id.
func (t *invocations) add(inv *invocation) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		t.pending = make(map[int64]*invocation)
	}
	t.lastID++
	t.pending[t.lastID] = inv
	return t.lastID
}

// take removes the invocation with id and returns it, or nil when it has
// already been taken or its caller stopped waiting.
func (t *invocations) take(id int64) *invocation {
	t.mu.Lock()
	defer t.mu.Unlock()
	inv := t.pending[id]
	delete(t.pending, id)
	return inv
}

// callbacks returns the fulfilled and rejected functions that settle calls.
// Call it on the event loop.
func (e *Engine) callbacks(rt *goja.Runtime) (fulfilled, rejected goja.Value) {
	t := &e.invocations
	if t.fulfilled == nil {
		t.fulfilled = rt.ToValue(func(c goja.FunctionCall) goja.Value {
			if inv := t.take(c.Argument(0).ToInteger()); inv != nil {
				deliver(inv, e.runFinish(rt, inv, c.Argument(1)))
			}
			return goja.Undefined()
		})
		t.rejected = rt.ToValue(func(c goja.FunctionCall) goja.Value {
			if inv := t.take(c.Argument(0).ToInteger()); inv != nil {
				deliver(inv, thrown(rt, e.helpers, c.Argument(1)))
			}
			return goja.Undefined()
		})
	}
	return t.fulfilled, t.rejected
}

// runFinish runs the finish step of inv with the fulfilled value v. A panic
// in it becomes errInternal.
func (e *Engine) runFinish(rt *goja.Runtime, inv *invocation, v goja.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e.logPanic(r)
			err = errInternal
		}
	}()
	return inv.finish(rt, v)
}

// deliver sends the outcome of inv to its caller. It never blocks, so the
// event loop cannot hang on a caller that already has an outcome, such as
// errInternal after a panic.
func deliver(inv *invocation, err error) {
	select {
	case inv.done <- err:
	default:
	}
}
