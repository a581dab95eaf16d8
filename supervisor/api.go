package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// MaxMessageSize is the largest message of the host API: 64 MiB of
// modules plus their framing, and large RPC values.
const MaxMessageSize = 80 << 20

// NewGRPCServer returns a gRPC server with the host API, health checking
// and server reflection registered.
func NewGRPCServer(s *Supervisor, opts ...grpc.ServerOption) *grpc.Server {
	opts = append([]grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageSize),
		grpc.MaxSendMsgSize(MaxMessageSize),
	}, opts...)
	srv := grpc.NewServer(opts...)
	pb.RegisterWorkerLoaderServer(srv, &apiServer{sup: s})
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus(pb.WorkerLoader_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	return srv
}

// apiServer serves the WorkerLoader service.
type apiServer struct {
	pb.UnimplementedWorkerLoaderServer
	sup *Supervisor
}

// checkNamespace rejects the namespaces the supervisor reserves.
func checkNamespace(ns string) error {
	if strings.HasPrefix(ns, "dynworker:") {
		return status.Errorf(codes.InvalidArgument, "namespace %q is reserved: namespaces starting with \"dynworker:\" belong to the supervisor", ns)
	}
	return nil
}

func (a *apiServer) Get(ctx context.Context, req *pb.GetRequest) (*pb.GetResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	var getCode func(context.Context) (*pb.WorkerCode, error)
	if req.Code != nil {
		getCode = func(context.Context) (*pb.WorkerCode, error) { return req.Code, nil }
	}
	handle, err := a.sup.Get(ctx, req.Namespace, req.WorkerId, getCode)
	if errors.Is(err, loader.ErrWorkerNotFound) {
		return nil, codeRequired(req.Namespace, req.WorkerId)
	}
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	return &pb.GetResponse{Handle: handle}, nil
}

// codeRequired is the NOT_FOUND status of Get without code for a worker
// that is not loaded, with a CodeRequired detail.
func codeRequired(namespace, id string) error {
	st := status.New(codes.NotFound, fmt.Sprintf("worker %q in namespace %q is not loaded: send its code", id, namespace))
	if d, err := st.WithDetails(&pb.CodeRequired{Namespace: namespace, WorkerId: id}); err == nil {
		st = d
	}
	return st.Err()
}

func (a *apiServer) Load(ctx context.Context, req *pb.LoadRequest) (*pb.LoadResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	handle, err := a.sup.Load(ctx, req.Namespace, req.Code)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	return &pb.LoadResponse{Handle: handle}, nil
}

func (a *apiServer) Release(ctx context.Context, req *pb.ReleaseRequest) (*pb.ReleaseResponse, error) {
	a.sup.Release(req.Handle)
	return &pb.ReleaseResponse{}, nil
}

func (a *apiServer) Fetch(stream pb.WorkerLoader_FetchServer) error {
	first, err := firstMessage(stream)
	if err != nil {
		return err
	}
	w, err := a.sup.Worker(first.GetTarget().GetHandle())
	if err != nil {
		return rpcerr.ToStatus(err)
	}
	return rpcerr.ToStatus(a.sup.relayFetch(stream.Context(), w, first, stream.Recv, stream.Send))
}

func (a *apiServer) Call(ctx context.Context, req *pb.CallRequest) (*pb.CallResponse, error) {
	w, err := a.sup.Worker(req.GetTarget().GetHandle())
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	resp, err := a.sup.call(ctx, w, req)
	return resp, rpcerr.ToStatus(err)
}

func (a *apiServer) List(ctx context.Context, req *pb.ListRequest) (*pb.ListResponse, error) {
	resp := &pb.ListResponse{}
	for _, w := range a.sup.Workers() {
		if req.Namespace != "" && w.Namespace != req.Namespace {
			continue
		}
		info := &pb.WorkerInfo{
			Namespace:     w.Namespace,
			WorkerId:      w.ID,
			State:         "idle",
			StartedUnixMs: w.Created.UnixMilli(),
			StopReason:    w.StopReason(),
		}
		if inst := w.Running(); inst != nil {
			info.State = "running"
			info.Pid = int32(inst.(*process).pid())
			info.DirectLinks = int32(DirectLinks(w))
		}
		resp.Workers = append(resp.Workers, info)
	}
	return resp, nil
}

func (a *apiServer) Evict(ctx context.Context, req *pb.EvictRequest) (*pb.EvictResponse, error) {
	if req.Handle != "" {
		w, err := a.sup.Worker(req.Handle)
		if err != nil {
			return nil, rpcerr.ToStatus(err)
		}
		return &pb.EvictResponse{Evicted: w.Evict()}, nil
	}
	// Reserved namespaces are not checked: List shows their workers, and
	// evicting one only stops its process until its next use.
	evicted, err := a.sup.Evict(req.Namespace, req.WorkerId)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	return &pb.EvictResponse{Evicted: evicted}, nil
}
