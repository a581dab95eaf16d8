package workerhost

import (
	"context"
	"net/http"

	"google.golang.org/grpc"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// hostClient implements engine.Host over the Host service of the
// supervisor, with calls and fetches to other workers on the link.
type hostClient struct {
	conn *grpc.ClientConn
	c    whpb.HostClient
	// link is set once, before the worker's code runs.
	link   *link.Conn
	direct *directLinks
	logs   chan *whpb.LogRequest
	done   chan struct{}
}

func newHostClient(conn *grpc.ClientConn) *hostClient {
	h := &hostClient{
		conn: conn,
		c:    whpb.NewHostClient(conn),
		logs: make(chan *whpb.LogRequest, 256),
		done: make(chan struct{}),
	}
	h.direct = &directLinks{links: make(map[string]*directLink), connect: h.connect}
	go h.sendLogs()
	return h
}

// sendLogs sends console output in order. A full queue blocks the worker
// rather than dropping lines.
func (h *hostClient) sendLogs() {
	defer close(h.done)
	for l := range h.logs {
		_, _ = h.c.Log(context.Background(), l)
	}
}

func (h *hostClient) close() {
	close(h.logs)
	<-h.done
	h.conn.Close()
	if h.link != nil {
		h.link.Close()
	}
	h.direct.closeAll()
}

func (h *hostClient) Log(level, message string) {
	h.logs <- &whpb.LogRequest{Level: level, Message: message}
}

func (h *hostClient) Fetch(ctx context.Context, req *http.Request) (*http.Response, error) {
	open := func(ctx context.Context) (httpstream.ClientStream, error) { return h.c.Outbound(ctx) }
	return h.stream(ctx, open, nil, req)
}

func (h *hostClient) FetchWorker(ctx context.Context, target *pb.Target, req *http.Request) (*http.Response, error) {
	if resp, sent, err := h.fetchDirect(ctx, target, req); sent {
		return resp, err
	}
	return h.stream(ctx, httpstream.LinkOpener(h.link, LinkFetch), target, req)
}

// stream sends req on a new Fetch-shaped stream and returns the response,
// whose body keeps the stream open until it is read or closed.
func (h *hostClient) stream(ctx context.Context, open httpstream.Opener, target *pb.Target, req *http.Request) (*http.Response, error) {
	resp, err := httpstream.RoundTrip(ctx, open, target, req, nil)
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return resp, nil
}

func (h *hostClient) LoaderGet(ctx context.Context, binding, id string) (string, string, error) {
	r, err := h.c.LoaderGet(ctx, &whpb.LoaderGetRequest{Binding: binding, WorkerId: id})
	if err != nil {
		return "", "", rpcerr.FromStatus(err)
	}
	return r.Handle, r.CodeToken, nil
}

func (h *hostClient) LoaderProvide(ctx context.Context, token string, code *pb.WorkerCode, codeErr *pb.ErrorValue) (string, error) {
	r, err := h.c.LoaderProvide(ctx, &whpb.LoaderProvideRequest{CodeToken: token, Code: code, Error: codeErr})
	if err != nil {
		return "", rpcerr.FromStatus(err)
	}
	return r.Handle, nil
}

func (h *hostClient) LoaderLoad(ctx context.Context, binding string, code *pb.WorkerCode) (string, error) {
	r, err := h.c.LoaderLoad(ctx, &whpb.LoaderLoadRequest{Binding: binding, Code: code})
	if err != nil {
		return "", rpcerr.FromStatus(err)
	}
	return r.Handle, nil
}

func (h *hostClient) CallWorker(ctx context.Context, target *pb.Target, method string, args []*pb.Value) (*pb.Value, error) {
	req := &pb.CallRequest{Target: target, Method: method, Args: args}
	resp, sent, err := h.callDirect(ctx, req)
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	if sent {
		return resp.Result, nil
	}
	resp = new(pb.CallResponse)
	if _, err := h.link.Call(ctx, LinkCall, req, resp); err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return resp.Result, nil
}

// connect asks the supervisor for a direct link to the worker behind
// handle, which the supervisor attaches before it replies.
func (h *hostClient) connect(ctx context.Context, handle string) error {
	_, err := h.link.Call(ctx, LinkConnect, &pb.Target{Handle: handle}, new(pb.Empty))
	return err
}
