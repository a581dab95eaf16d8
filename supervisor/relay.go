package supervisor

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	"github.com/dynworker/dynworker/workerhost"
)

// use returns the running process of w, starting one if needed, and marks
// a call in progress until the returned release runs.
func (s *Supervisor) use(ctx context.Context, w *loader.Worker) (p *process, release func(), err error) {
	w.Acquire()
	inst, err := w.Instance(ctx)
	if err != nil {
		w.Release()
		return nil, nil, err
	}
	var once sync.Once
	return inst.(*process), func() { once.Do(w.Release) }, nil
}

// relayFetch forwards a Fetch stream to w: first is the caller's first
// message, recv yields the rest of the request and send takes the response.
// Messages pass through unchanged but for the target, which loses the
// caller's handle.
func (s *Supervisor) relayFetch(ctx context.Context, w *loader.Worker, first *pb.FetchRequest, recv func() (*pb.FetchRequest, error), send func(*pb.FetchResponse) error) error {
	p, release, err := s.use(ctx, w)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := p.link.Open(ctx, workerhost.LinkFetch)
	if err != nil {
		return p.callError(err)
	}
	child := httpstream.LinkClient{S: stream}

	first.Target = workerhost.WorkerTarget(first.GetTarget())
	if err := child.Send(first); err != nil {
		return p.callError(err)
	}
	if !first.End {
		go forwardRequest(cancel, recv, child.Send)
	}

	for {
		m, err := child.Recv()
		if errors.Is(err, io.EOF) {
			p.stopIfBroken(stream.Broken())
			return nil
		}
		if err != nil {
			p.stopIfBroken(stream.Broken())
			return p.callError(err)
		}
		if err := send(m); err != nil {
			return err
		}
	}
}

// forwardRequest copies request body messages until the last one. A failed
// read from the caller cancels the relay.
func forwardRequest(cancel context.CancelFunc, recv func() (*pb.FetchRequest, error), send func(*pb.FetchRequest) error) {
	for {
		m, err := recv()
		if err != nil {
			cancel()
			return
		}
		if err := send(m); err != nil || m.End {
			return
		}
	}
}

// call forwards an RPC call to w.
func (s *Supervisor) call(ctx context.Context, w *loader.Worker, req *pb.CallRequest) (*pb.CallResponse, error) {
	if req.GetMethod() == "" {
		return nil, rpcerr.Errorf(codes.InvalidArgument, "call worker %s: method name is empty", workerName(w))
	}
	childReq := &pb.CallRequest{Target: workerhost.WorkerTarget(req.Target), Method: req.Method, Args: req.Args}
	for attempt := 0; ; attempt++ {
		resp, broken, err := s.callOnce(ctx, w, childReq)
		if broken && status.Code(err) == codes.Aborted && attempt == 0 {
			// The runtime broke in an earlier call, and the workerhost
			// refused this one before running it: a fresh process takes it.
			continue
		}
		return resp, err
	}
}

// callOnce makes one call to w's running process, and stops the process
// when its reply marks its runtime as broken.
func (s *Supervisor) callOnce(ctx context.Context, w *loader.Worker, req *pb.CallRequest) (*pb.CallResponse, bool, error) {
	p, release, err := s.use(ctx, w)
	if err != nil {
		return nil, false, err
	}
	defer release()
	resp := new(pb.CallResponse)
	broken, err := p.link.Call(ctx, workerhost.LinkCall, req, resp)
	p.stopIfBroken(broken)
	if err != nil {
		if status.Code(err) == codes.Aborted {
			return nil, broken, err
		}
		return nil, broken, p.callError(err)
	}
	return resp, broken, nil
}

// stopIfBroken stops p when its reply marked its runtime as broken, so the
// next call to its worker starts a fresh workerhost.
func (p *process) stopIfBroken(broken bool) {
	if !broken {
		return
	}
	w := p.currentWorker()
	p.sup.log.Warn("workerhost runtime broke; restarting it", "worker", workerName(w), "pid", p.pid())
	w.SetStopReason("runtime broke: stack overflow or interrupted endless loop")
	p.Stop()
}

// prestartTimeout bounds a start that prestart begins.
const prestartTimeout = time.Minute

// prestart starts w's process in the background, so the process loads
// while the caller's first call is still on its way. A failure is kept by
// the worker and reported to that call.
func (s *Supervisor) prestart(w *loader.Worker) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), prestartTimeout)
		defer cancel()
		_, _ = w.Instance(ctx)
	}()
}

// firstMessage receives the head of a Fetch stream, with a clear error
// when the stream ends before it.
func firstMessage(stream interface {
	Recv() (*pb.FetchRequest, error)
}) (*pb.FetchRequest, error) {
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return nil, status.Error(codes.InvalidArgument, "fetch: the stream ended before its first message, which must carry the target and the request head")
	}
	if err != nil {
		return nil, err
	}
	if first.GetRequest() == nil {
		return nil, status.Error(codes.InvalidArgument, "fetch: the first message has no request head")
	}
	return first, nil
}
