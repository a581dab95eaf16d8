package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost"
	"github.com/dynworker/dynworker/workerhost/engine"
)

// hostServer serves one workerhost's requests on its link. The child may be
// hostile: handles and code tokens are issued per child, and every request
// is checked against what this child was given.
type hostServer struct {
	sup     *Supervisor
	proc    *process
	console consoleLimiter
	// outboundSlots bounds this child's outbound requests in progress.
	outboundSlots chan struct{}

	handles handleTable

	mu     sync.Mutex
	tokens map[string]*loader.Worker
	// grants maps each handle this child has a direct link for to the
	// process at the other end.
	grants map[string]*process
}

func newHostServer(p *process) *hostServer {
	return &hostServer{sup: p.sup, proc: p, outboundSlots: make(chan struct{}, maxOutboundPerWorker)}
}

// LoaderGet serves LinkLoaderGet.
func (h *hostServer) LoaderGet(ctx context.Context, req *whpb.LoaderGetRequest) (*whpb.LoaderGetResponse, error) {
	ns, err := h.namespace(req.Binding)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	w, provide, err := h.sup.loader.Lookup(ns, req.WorkerId, nil)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	if provide {
		token := newID()
		h.mu.Lock()
		if h.tokens == nil {
			h.tokens = make(map[string]*loader.Worker)
		}
		h.tokens[token] = w
		h.mu.Unlock()
		time.AfterFunc(codeTimeout, func() { h.expire(token) })
		return &whpb.LoaderGetResponse{CodeToken: token}, nil
	}
	if w.Running() == nil {
		// Evicted or never started: load it while the first call comes.
		h.sup.prestart(w)
	}
	return &whpb.LoaderGetResponse{Handle: h.issue(w)}, nil
}

// LoaderProvide serves LinkLoaderProvide.
func (h *hostServer) LoaderProvide(ctx context.Context, req *whpb.LoaderProvideRequest) (*whpb.LoaderProvideResponse, error) {
	h.mu.Lock()
	w := h.tokens[req.CodeToken]
	delete(h.tokens, req.CodeToken)
	h.mu.Unlock()
	if w == nil {
		return nil, rpcerr.ToStatus(rpcerr.Errorf(codes.NotFound, "provide code: unknown code token %q", req.CodeToken))
	}
	var codeErr error
	if req.Error != nil {
		codeErr = rpcerr.FromValue(req.Error)
	}
	if err := w.Provide(req.Code, codeErr); err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	h.sup.prestart(w)
	return &whpb.LoaderProvideResponse{Handle: h.issue(w)}, nil
}

// LoaderLoad serves LinkLoaderLoad.
func (h *hostServer) LoaderLoad(ctx context.Context, req *whpb.LoaderLoadRequest) (*whpb.LoaderLoadResponse, error) {
	ns, err := h.namespace(req.Binding)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	w, err := h.sup.loader.Load(ns, req.Code, nil)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	h.sup.prestart(w)
	return &whpb.LoaderLoadResponse{Handle: h.issue(w)}, nil
}

// serveLink serves the child's requests: its loader bindings, its calls and
// fetches to workers it loaded, its global fetch() and its console.
func (h *hostServer) serveLink(m link.Method, s *link.Stream) error {
	switch m {
	case workerhost.LinkCall:
		return link.Reply(s, new(pb.CallRequest), h.Call)
	case workerhost.LinkFetch:
		return h.fetch(httpstream.LinkServer{S: s})
	case workerhost.LinkConnect:
		return link.Reply(s, new(pb.Target), h.connect)
	case workerhost.LinkExitReason:
		return link.Reply(s, new(pb.Target), h.exitReason)
	case workerhost.LinkLoaderGet:
		return link.Reply(s, new(whpb.LoaderGetRequest), h.LoaderGet)
	case workerhost.LinkLoaderProvide:
		return link.Reply(s, new(whpb.LoaderProvideRequest), h.LoaderProvide)
	case workerhost.LinkLoaderLoad:
		return link.Reply(s, new(whpb.LoaderLoadRequest), h.LoaderLoad)
	case workerhost.LinkOutbound:
		return h.outbound(httpstream.LinkServer{S: s})
	case workerhost.LinkLog:
		return link.Reply(s, new(whpb.LogRequest), h.Log)
	}
	return rpcerr.ToStatus(rpcerr.Errorf(codes.Unimplemented, "link: unknown method %d", m))
}

// fetch relays a fetch from the child to a worker it loaded.
func (h *hostServer) fetch(stream httpstream.LinkServer) error {
	first, err := firstMessage(stream)
	if err != nil {
		return err
	}
	w, err := h.worker(first.GetTarget().GetHandle())
	if err != nil {
		return rpcerr.ToStatus(err)
	}
	return rpcerr.ToStatus(h.sup.relayFetch(stream.Context(), w, first, stream.Recv, stream.Send))
}

// Call serves LinkCall: a call to a worker this child loaded.
func (h *hostServer) Call(ctx context.Context, req *pb.CallRequest) (*pb.CallResponse, error) {
	w, err := h.worker(req.GetTarget().GetHandle())
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	resp, err := h.sup.call(ctx, w, req)
	return resp, rpcerr.ToStatus(err)
}

// outbound serves LinkOutbound: a request of the worker's global fetch().
func (h *hostServer) outbound(stream httpstream.LinkServer) error {
	return rpcerr.ToStatus(h.sup.outbound(stream, h.proc.currentWorker(), h.outboundSlots))
}

// Log serves LinkLog: one console line, logged unless over the rate limit.
func (h *hostServer) Log(ctx context.Context, req *whpb.LogRequest) (*whpb.LogResponse, error) {
	level := slog.LevelInfo
	switch req.Level {
	case "error":
		level = slog.LevelError
	case "warn":
		level = slog.LevelWarn
	case "debug":
		level = slog.LevelDebug
	}
	w := h.proc.currentWorker()
	ok, dropped := h.console.allow(time.Now())
	if !ok {
		return &whpb.LogResponse{}, nil
	}
	if dropped > 0 {
		h.sup.log.Warn("console lines dropped over the rate limit", "worker", workerName(w), "namespace", w.Namespace, "dropped", dropped)
	}
	h.sup.log.Log(ctx, level, truncateLine(req.Message), "worker", workerName(w), "namespace", w.Namespace, "source", "console")
	return &whpb.LogResponse{}, nil
}

// namespace returns the namespace of a loader binding of this child's
// worker, or an error when the worker has no such binding.
func (h *hostServer) namespace(binding string) (string, error) {
	w := h.proc.currentWorker()
	ok := slices.ContainsFunc(w.Bindings, func(b *whpb.Binding) bool {
		return b.GetLoader().GetId() == binding
	})
	if !ok {
		return "", rpcerr.Errorf(codes.PermissionDenied, "worker %s has no loader binding %q", workerName(w), binding)
	}
	return binding, nil
}

func (h *hostServer) issue(w *loader.Worker) string { return h.handles.issue(w) }

func (h *hostServer) worker(handle string) (*loader.Worker, error) {
	w := h.handles.lookup(handle)
	if w == nil {
		return nil, rpcerr.WithCode(codes.PermissionDenied, fmt.Errorf("worker handle %q was not issued to this worker: %w", shorten(handle), loader.ErrHandleNotFound))
	}
	return w, nil
}

// codeTimeout bounds how long a getCode callback may take. Without it, a
// callback that never settles would block its worker ID forever. The
// parent's own wait ends after engine.CodeTimeout, the same time.
var codeTimeout = engine.CodeTimeout

// expire fails the worker of token if its code has not come.
func (h *hostServer) expire(token string) {
	h.mu.Lock()
	w := h.tokens[token]
	delete(h.tokens, token)
	h.mu.Unlock()
	if w != nil {
		msg := fmt.Sprintf("the getCode callback for worker %q did not return within %s", w.ID, codeTimeout)
		_ = w.Provide(nil, &rpcerr.ScriptError{Name: "Error", Message: msg})
	}
}

// failPending fails the workers whose code this child was to supply, so
// their other callers do not wait forever.
func (h *hostServer) failPending() {
	h.mu.Lock()
	tokens := h.tokens
	h.tokens = nil
	h.mu.Unlock()
	for _, w := range tokens {
		_ = w.Provide(nil, &rpcerr.ScriptError{Name: "Error", Message: "the worker that was to supply this worker's code stopped before it did"})
	}
}
