package supervisor

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost"
)

// ParentNamespace is the namespace of parent workers, which host apps
// cannot name: the host API rejects namespaces that start with "dynworker:".
const ParentNamespace = "dynworker:parent"

// parentWallLimit is the wall-clock limit of a parent worker's calls when
// its code sets none. It is longer than a dynamic worker's default, so a
// parent outlives the calls it makes and can report their failure.
const parentWallLimit = 10 * time.Minute

// LoadParent starts a parent worker: a named worker in ParentNamespace
// whose env holds a LOADER binding for each name in loaders, mapped to the
// loader namespace of that binding.
func (s *Supervisor) LoadParent(ctx context.Context, id string, code *pb.WorkerCode, loaders map[string]string) (string, error) {
	if code.GetLimits().GetWallMs() == 0 {
		code = proto.CloneOf(code)
		if code.Limits == nil {
			code.Limits = &pb.Limits{}
		}
		code.Limits.WallMs = parentWallLimit.Milliseconds()
	}
	var bindings []*whpb.Binding
	for name, ns := range loaders {
		bindings = append(bindings, &whpb.Binding{
			Name: name,
			Kind: &whpb.Binding_Loader{Loader: &whpb.LoaderBinding{Id: ns}},
		})
	}
	w, err := s.getWorker(ctx, ParentNamespace, id, bindings, func(context.Context) (*pb.WorkerCode, error) { return code, nil })
	if err != nil {
		return "", err
	}
	_, release, err := s.use(ctx, w)
	if err != nil {
		return "", err
	}
	release()
	// The parent is up; the warm pool can fill without slowing it down.
	s.pool.start()
	return s.issue(w), nil
}

// Fetch sends req to an entrypoint of the worker behind handle and returns
// the response, whose body streams from the worker until read or closed.
func (s *Supervisor) Fetch(ctx context.Context, handle, entrypoint string, req *http.Request) (*http.Response, error) {
	w, err := s.Worker(handle)
	if err != nil {
		return nil, err
	}
	p, release, err := s.use(ctx, w)
	if err != nil {
		return nil, err
	}

	target := &pb.Target{Entrypoint: entrypoint}
	open := httpstream.LinkOpener(p.link, workerhost.LinkFetch)
	resp, err := httpstream.RoundTrip(ctx, open, target, req, func(stream httpstream.ClientStream) {
		p.stopIfBroken(stream.(httpstream.LinkClient).S.Broken())
		release()
	})
	if err != nil {
		release()
		return nil, p.callError(err)
	}
	resp.Body = &exitAwareBody{ReadCloser: resp.Body, p: p}
	return resp, nil
}

// exitAwareBody reports a body cut short by the worker's exit as such.
type exitAwareBody struct {
	io.ReadCloser
	p *process
}

func (b *exitAwareBody) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	if err != nil && !errors.Is(err, io.EOF) {
		err = b.p.callError(err)
	}
	return n, err
}

// Call invokes method on an entrypoint of the worker behind handle.
func (s *Supervisor) Call(ctx context.Context, handle, entrypoint, method string, args []*pb.Value) (*pb.Value, error) {
	w, err := s.Worker(handle)
	if err != nil {
		return nil, err
	}
	resp, err := s.call(ctx, w, &pb.CallRequest{Target: &pb.Target{Entrypoint: entrypoint}, Method: method, Args: args})
	if err != nil {
		return nil, err
	}
	return resp.Result, nil
}

// Exports describes the exports of the worker behind handle.
func (s *Supervisor) Exports(ctx context.Context, handle string) ([]*whpb.Export, error) {
	w, err := s.Worker(handle)
	if err != nil {
		return nil, err
	}
	p, release, err := s.use(ctx, w)
	if err != nil {
		return nil, err
	}
	release()
	return p.exports, nil
}

// Test runs the test handler of an entrypoint of the worker behind handle.
func (s *Supervisor) Test(ctx context.Context, handle, entrypoint string) error {
	w, err := s.Worker(handle)
	if err != nil {
		return err
	}
	p, release, err := s.use(ctx, w)
	if err != nil {
		return err
	}
	defer release()
	var trailer metadata.MD
	_, err = p.rpc.Test(ctx, &whpb.TestRequest{Entrypoint: entrypoint}, grpc.Trailer(&trailer))
	p.stopIfBroken(len(trailer.Get(workerhost.BrokenTrailer)) > 0)
	if err != nil {
		return p.callError(err)
	}
	return nil
}

func scriptErr(name, msg string) error {
	return &rpcerr.ScriptError{Name: name, Message: msg}
}

// PID returns the process ID of w's running workerhost, or 0 when none runs.
func PID(w *loader.Worker) int {
	if inst := w.Running(); inst != nil {
		return inst.(*process).pid()
	}
	return 0
}
