package workerhost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost/engine"
)

// workerServer serves the Worker service and the supervisor's requests on
// the link: it holds the one engine of this process once load has given it
// code.
type workerServer struct {
	whpb.UnimplementedWorkerServer
	host engine.Host
	trim *trimmer

	// prepared is closed when the runtime prepared at start is ready.
	prepared    chan struct{}
	preparedEng *engine.Engine
	prepareErr  error

	exitOnce sync.Once

	// direct holds this worker's direct links to the workers it loaded,
	// and peers counts the calls other workers make on direct links to it.
	direct *directLinks
	peers  peerCalls

	mu     sync.Mutex
	engine *engine.Engine
	loaded bool
	wallMs int64 // the worker code's limits.wall_ms
}

// prepareGCPercent is the garbage collector's target while the runtime is
// being prepared.
const prepareGCPercent = 400

// newWorkerServer returns a server that starts preparing a runtime at once,
// while go-plugin's handshake runs and, in the warm pool, until code comes.
func newWorkerServer(host engine.Host, direct *directLinks) *workerServer {
	s := &workerServer{host: host, direct: direct, trim: newTrimmer(), prepared: make(chan struct{})}
	go func() {
		defer close(s.prepared)
		// Preparing allocates a lot that lives on; collecting while the heap
		// is small would only repeat work, so the collector waits longer.
		old := debug.SetGCPercent(prepareGCPercent)
		defer debug.SetGCPercent(old)
		s.preparedEng, s.prepareErr = engine.Prepare(host)
		warmMessages()
	}()
	return s
}

func (s *workerServer) Ready(ctx context.Context, _ *whpb.ReadyRequest) (*whpb.ReadyResponse, error) {
	select {
	case <-s.prepared:
	case <-ctx.Done():
		return nil, rpcerr.ToStatus(ctx.Err())
	}
	if s.prepareErr != nil {
		return nil, rpcerr.ToStatus(fmt.Errorf("prepare runtime: %w", s.prepareErr))
	}
	return &whpb.ReadyResponse{}, nil
}

// load gives the prepared engine its code, the reply to LinkLoad.
func (s *workerServer) load(_ context.Context, req *whpb.LoadRequest) (*whpb.LoadResponse, error) {
	s.trim.begin()
	defer s.trim.end()

	s.mu.Lock()
	if s.loaded {
		s.mu.Unlock()
		return nil, rpcerr.ToStatus(rpcerr.Errorf(codes.FailedPrecondition, "load worker: this workerhost already runs a worker"))
	}
	s.loaded = true
	s.mu.Unlock()

	<-s.prepared
	if s.prepareErr != nil {
		return nil, rpcerr.ToStatus(fmt.Errorf("prepare runtime: %w", s.prepareErr))
	}
	e := s.preparedEng
	script, err := e.Load(req.Code, req.Bindings, req.Bundle)
	if err != nil {
		e.Close()
		return nil, rpcerr.ToStatus(err)
	}
	exports := e.Exports()

	s.mu.Lock()
	s.engine = e
	s.wallMs = req.GetCode().GetLimits().GetWallMs()
	s.mu.Unlock()
	resp := &whpb.LoadResponse{Exports: exports}
	if req.Bundle == "" {
		resp.Bundle = script
	}
	return resp, nil
}

// fetchStream is the accepting side of a Fetch-shaped stream.
type fetchStream interface {
	httpstream.RequestReceiver
	httpstream.ResponseSender
	Context() context.Context
}

// fetch serves one fetch: it reads the request from stream, runs the
// worker's handler and sends the response back.
func (s *workerServer) fetch(stream fetchStream) error {
	s.trim.begin()
	defer s.trim.end()

	e, err := s.loadedEngine()
	if err != nil {
		return err
	}
	target, req, err := httpstream.ReceiveRequest(stream)
	if err != nil {
		return err
	}
	ctx := stream.Context()
	invokeCtx, cancel := s.withWallLimit(ctx, target)
	resp, err := e.Fetch(invokeCtx, target.GetEntrypoint(), target.GetProps(), req.WithContext(ctx))
	cancel()
	if err != nil {
		return err
	}
	return httpstream.SendResponse(stream, resp)
}

// call serves one RPC call.
func (s *workerServer) call(ctx context.Context, req *pb.CallRequest) (*pb.CallResponse, error) {
	s.trim.begin()
	defer s.trim.end()

	e, err := s.loadedEngine()
	if err != nil {
		return nil, err
	}
	t := req.GetTarget()
	ctx, cancel := s.withWallLimit(ctx, t)
	defer cancel()
	result, err := e.Call(ctx, t.GetEntrypoint(), t.GetProps(), req.Method, req.Args)
	if err != nil {
		return nil, err
	}
	return &pb.CallResponse{Result: result}, nil
}

func (s *workerServer) Test(ctx context.Context, req *whpb.TestRequest) (*whpb.TestResponse, error) {
	s.trim.begin()
	defer s.trim.end()
	defer s.exitIfBroken(func() { _ = grpc.SetTrailer(ctx, metadata.Pairs(BrokenTrailer, "1")) })

	e, err := s.loadedEngine()
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	if err := e.Test(ctx, req.Entrypoint); err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	return &whpb.TestResponse{}, nil
}

var errNotLoaded = rpcerr.WithCode(codes.FailedPrecondition, errors.New("call worker: no worker is loaded in this workerhost"))

// errBrokenRuntime refuses a call that comes after the runtime broke and
// before the process is gone. ABORTED tells the caller the call did not
// run, so it may send it again to a fresh process.
var errBrokenRuntime = rpcerr.WithCode(codes.Aborted, errors.New("call worker: the worker's runtime broke in an earlier call, so this call did not run"))

// loadedEngine returns the engine of the loaded worker, or an error when
// none is loaded or its runtime broke.
func (s *workerServer) loadedEngine() (*engine.Engine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.engine == nil {
		return nil, errNotLoaded
	}
	if s.engine.Broken() {
		return nil, errBrokenRuntime
	}
	return s.engine, nil
}

func (s *workerServer) close() {
	s.trim.stop()
	<-s.prepared
	if s.preparedEng != nil {
		s.preparedEng.Close()
	}
}

// brokenExitDelay lets the reply that reported a broken runtime reach the
// supervisor before the workerhost exits.
const brokenExitDelay = 100 * time.Millisecond

// BrokenTrailer is the trailer key that marks a Test reply from a
// workerhost whose runtime broke during the call. The supervisor then stops
// the process, and the next call starts a fresh one. Calls and fetches on
// the link carry the same mark as a flag of their last frame.
const BrokenTrailer = "dynworker-broken"

// exitIfBroken ends the process when the engine's runtime may be left
// inconsistent. It marks the reply through mark, and exits shortly after
// in case the supervisor does not stop it first.
func (s *workerServer) exitIfBroken(mark func()) {
	s.mu.Lock()
	e := s.engine
	s.mu.Unlock()
	if e == nil || !e.Broken() {
		return
	}
	mark()
	s.exitOnce.Do(func() {
		time.AfterFunc(brokenExitDelay, func() { os.Exit(exitBroken) })
	})
}

// exitBroken is the exit code of a workerhost whose runtime broke.
const exitBroken = 3

// DefaultWallLimit bounds the time from the start of a call until its
// handler settles, when neither the call nor the worker's code sets
// limits.wall_ms. A streamed response body may take longer.
const DefaultWallLimit = 60 * time.Second

// withWallLimit bounds ctx by the call's wall-clock limit: the target's,
// else the worker code's, else DefaultWallLimit.
func (s *workerServer) withWallLimit(ctx context.Context, t *pb.Target) (context.Context, context.CancelFunc) {
	limit := DefaultWallLimit
	if ms := s.codeWallMs(); ms > 0 {
		limit = time.Duration(ms) * time.Millisecond
	}
	if ms := t.GetLimits().GetWallMs(); ms > 0 && time.Duration(ms)*time.Millisecond < limit {
		limit = time.Duration(ms) * time.Millisecond
	}
	return engine.WithWallLimit(ctx, limit)
}

func (s *workerServer) codeWallMs() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wallMs
}
