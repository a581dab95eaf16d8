package engine

import (
	"time"

	"github.com/dop251/goja"
)

// rejectionTracker logs promises rejected with no handler, as workerd logs
// "Uncaught (in promise)". A promise counts as unhandled if no handler is
// attached by the time the tasks queued so far have run, so code that
// attaches a handler a moment later is not reported. It is used on the
// event loop only.
type rejectionTracker struct {
	e       *Engine
	pending map[*goja.Promise]struct{}
	armed   bool
}

func (e *Engine) trackRejections(rt *goja.Runtime) {
	t := &rejectionTracker{e: e, pending: make(map[*goja.Promise]struct{})}
	rt.SetPromiseRejectionTracker(t.track)
}

func (t *rejectionTracker) track(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		t.pending[p] = struct{}{}
		if !t.armed {
			t.armed = true
			t.e.loop.SetTimeout(t.report, time.Duration(0))
		}
	case goja.PromiseRejectionHandle:
		delete(t.pending, p)
	}
}

func (t *rejectionTracker) report(rt *goja.Runtime) {
	t.armed = false
	for p := range t.pending {
		delete(t.pending, p)
		err := thrown(rt, t.e.helpers, p.Result())
		t.e.host.Log("error", "Uncaught (in promise) "+err.Error())
	}
}
