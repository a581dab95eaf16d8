package client

import (
	"context"
	"net/http"
	"time"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/internal/value"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// Worker is a handle to a loaded worker.
type Worker struct {
	c      *Client
	handle string
	id     string
}

// Entrypoint selects an export of the worker: "" is the default export.
// props, if not nil, reach the worker as ctx.props.
func (w *Worker) Entrypoint(name string, props any) *Entrypoint {
	return &Entrypoint{w: w, name: name, props: props}
}

// Release drops the handle; an anonymous worker stops with it.
func (w *Worker) Release(ctx context.Context) error {
	_, err := w.c.api.Release(w.c.metadata(ctx, w.id), &pb.ReleaseRequest{Handle: w.handle})
	return rpcerr.FromStatus(err)
}

// Entrypoint is one entrypoint of a worker, with its props.
type Entrypoint struct {
	w      *Worker
	name   string
	props  any
	limits *pb.Limits
}

// Limits bound each call through an Entrypoint. Zero means the worker's
// own limit or the supervisor's default.
type Limits struct {
	// Wall is the longest time from a call's start until its handler
	// settles. The default is one minute.
	Wall time.Duration
}

// WithLimits returns a copy of e whose calls have limits l.
func (e *Entrypoint) WithLimits(l Limits) *Entrypoint {
	c := *e
	c.limits = &pb.Limits{WallMs: l.Wall.Milliseconds()}
	return &c
}

func (e *Entrypoint) target() (*pb.Target, error) {
	t := &pb.Target{Handle: e.w.handle, Entrypoint: e.name, Limits: e.limits}
	if e.props != nil {
		p, err := value.FromGo(e.props)
		if err != nil {
			return nil, err
		}
		t.Props = p
	}
	return t, nil
}

// Fetch sends req to the entrypoint's fetch handler. The request body and
// the response body stream; close the response body when done. req's
// context bounds the whole exchange.
func (e *Entrypoint) Fetch(req *http.Request) (*http.Response, error) {
	t, err := e.target()
	if err != nil {
		return nil, err
	}
	ctx := e.w.c.metadata(req.Context(), e.w.id)
	open := func(ctx context.Context) (httpstream.ClientStream, error) { return e.w.c.api.Fetch(ctx) }
	resp, err := httpstream.RoundTrip(ctx, open, t, req, nil)
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return resp, nil
}

// Call invokes an RPC method with args and returns its result, converted
// as value.ToGo describes: numbers are float64, objects map[string]any.
func (e *Entrypoint) Call(ctx context.Context, method string, args ...any) (any, error) {
	t, err := e.target()
	if err != nil {
		return nil, err
	}
	req := &pb.CallRequest{Target: t, Method: method}
	for _, a := range args {
		v, err := value.FromGo(a)
		if err != nil {
			return nil, err
		}
		req.Args = append(req.Args, v)
	}
	resp, err := e.w.c.api.Call(e.w.c.metadata(ctx, e.w.id), req)
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return value.ToGo(resp.Result)
}
