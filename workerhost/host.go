package workerhost

import (
	"context"
	"net/http"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// hostClient implements engine.Host with requests to the supervisor on the
// link, and with calls and fetches on direct links where it has them.
type hostClient struct {
	// link is set once, before the worker's code runs.
	link   *link.Conn
	direct *directLinks
	logs   chan *whpb.LogRequest
	done   chan struct{}
}

func newHostClient() *hostClient {
	h := &hostClient{
		logs: make(chan *whpb.LogRequest, 256),
		done: make(chan struct{}),
	}
	h.direct = &directLinks{links: make(map[string]*directLink), connect: h.connect}
	return h
}

// start sets the link to the supervisor and starts sending console lines
// on it.
func (h *hostClient) start(c *link.Conn) {
	h.link = c
	go h.sendLogs()
}

// sendLogs sends console output in order. A full queue blocks the worker
// rather than dropping lines.
func (h *hostClient) sendLogs() {
	defer close(h.done)
	for l := range h.logs {
		_, _ = h.link.Call(context.Background(), LinkLog, l, new(whpb.LogResponse))
	}
}

// close sends the console lines still queued, then closes the link and the
// direct links.
func (h *hostClient) close() {
	close(h.logs)
	if h.link != nil {
		<-h.done
		h.link.Close()
	}
	h.direct.closeAll()
}

func (h *hostClient) Log(level, message string) {
	h.logs <- &whpb.LogRequest{Level: level, Message: message}
}

func (h *hostClient) Fetch(ctx context.Context, req *http.Request) (*http.Response, error) {
	return h.stream(ctx, httpstream.LinkOpener(h.link, LinkOutbound), nil, req)
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
	r := new(whpb.LoaderGetResponse)
	_, err := h.link.Call(ctx, LinkLoaderGet, &whpb.LoaderGetRequest{Binding: binding, WorkerId: id}, r)
	if err != nil {
		return "", "", rpcerr.FromStatus(err)
	}
	return r.Handle, r.CodeToken, nil
}

func (h *hostClient) LoaderProvide(ctx context.Context, token string, code *pb.WorkerCode, codeErr *pb.ErrorValue) (string, error) {
	req := &whpb.LoaderProvideRequest{CodeToken: token, Code: code, Error: codeErr}
	r := new(whpb.LoaderProvideResponse)
	if _, err := h.link.Call(ctx, LinkLoaderProvide, req, r); err != nil {
		return "", rpcerr.FromStatus(err)
	}
	return r.Handle, nil
}

func (h *hostClient) LoaderLoad(ctx context.Context, binding string, code *pb.WorkerCode) (string, error) {
	r := new(whpb.LoaderLoadResponse)
	if _, err := h.link.Call(ctx, LinkLoaderLoad, &whpb.LoaderLoadRequest{Binding: binding, Code: code}, r); err != nil {
		return "", rpcerr.FromStatus(err)
	}
	return r.Handle, nil
}

func (h *hostClient) CallWorker(ctx context.Context, target *pb.Target, method string, args []*pb.Value) (*pb.Value, error) {
	req := &pb.CallRequest{Target: target, Method: method, Args: args}
	resp, sent, err := h.callDirect(ctx, req)
	if err == nil && !sent {
		resp = new(pb.CallResponse)
		_, err = h.link.Call(ctx, LinkCall, req, resp)
	}
	if err != nil {
		return nil, rpcerr.FromStatus(nameTooLarge(method, "the arguments are", err))
	}
	return resp.Result, nil
}

// connect requests from the supervisor a direct link to the worker behind
// handle, which the supervisor attaches before it replies.
func (h *hostClient) connect(ctx context.Context, handle string) error {
	_, err := h.link.Call(ctx, LinkConnect, &pb.Target{Handle: handle}, new(pb.Empty))
	return err
}
