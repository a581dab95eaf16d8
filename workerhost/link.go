package workerhost

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// LinkFD is the file descriptor on which a workerhost finds its link to the
// supervisor. The link carries every request between the two but go-plugin's
// own: the supervisor loads and calls this worker, and the worker calls the
// supervisor for its loader bindings, its global fetch(), its console and
// the workers it loaded.
const LinkFD = 3

// Methods on the link.
const (
	// LinkCall carries one dynworker.v1.CallRequest and its CallResponse.
	// Each side serves it, and so does a worker on its direct links.
	LinkCall link.Method = 1
	// LinkFetch carries dynworker.v1.FetchRequest messages one way and
	// FetchResponse messages back, as the Fetch RPC does. Served as
	// LinkCall is.
	LinkFetch link.Method = 2
	// LinkConnect requests from the supervisor a direct link to the worker
	// behind a handle: a dynworker.v1.Target with the handle, and an Empty
	// reply once the link is attached.
	LinkConnect link.Method = 3
	// LinkServePeer gives a workerhost the worker's end of a direct link,
	// with an Empty request and reply.
	LinkServePeer link.Method = 4
	// LinkAttach gives a parent's workerhost its end of a direct link: a
	// Target with the handle the link serves, and an Empty reply.
	LinkAttach link.Method = 5
	// LinkDrain requests that a workerhost refuse calls on its direct links if
	// it has been idle long enough: DrainRequest and DrainResponse.
	LinkDrain link.Method = 6
	// LinkExitReason requests from the supervisor why the process of the worker
	// behind a handle ended: a Target with the handle. The reply is an
	// error that gives the reason, or Empty when the process still runs.
	LinkExitReason link.Method = 7
	// LinkLoad gives a blank workerhost its code: LoadRequest and
	// LoadResponse. A second load fails.
	LinkLoad link.Method = 8
	// LinkLoaderGet resolves a worker ID through a loader binding:
	// LoaderGetRequest and LoaderGetResponse. When the worker is not
	// loaded, the reply carries a code token instead of a handle, and the
	// workerhost sends the code with LinkLoaderProvide.
	LinkLoaderGet link.Method = 9
	// LinkLoaderProvide supplies the code, or the getCode failure, for a
	// code token: LoaderProvideRequest and LoaderProvideResponse.
	LinkLoaderProvide link.Method = 10
	// LinkLoaderLoad starts an anonymous worker from code:
	// LoaderLoadRequest and LoaderLoadResponse.
	LinkLoaderLoad link.Method = 11
	// LinkOutbound sends a request made by the worker's global fetch(), in
	// the messages of LinkFetch.
	LinkOutbound link.Method = 12
	// LinkLog sends one console line: LogRequest and LogResponse. The
	// workerhost waits for each reply, so lines arrive in order.
	LinkLog link.Method = 13
)

// openLink opens the link on LinkFD, served by h.
func openLink(h link.Handler) (*link.Conn, error) {
	f := os.NewFile(LinkFD, "link")
	if f == nil {
		return nil, fmt.Errorf("open link: no file descriptor %d", LinkFD)
	}
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("open link on descriptor %d: %w", LinkFD, err)
	}
	return link.New(c, link.Options{Handler: h, MaxMessageSize: MaxMessageSize, AcceptFiles: true}), nil
}

// serveLink serves the supervisor's requests on the link. Only the
// supervisor's end reaches it: direct links are served by servePeer.
func (s *workerServer) serveLink(m link.Method, st *link.Stream) error {
	switch m {
	case LinkCall:
		return s.serveCall(st)
	case LinkFetch:
		return s.serveFetch(st)
	case LinkLoad:
		return link.Reply(st, new(whpb.LoadRequest), s.load)
	case LinkServePeer:
		return link.Reply(st, new(pb.Empty), func(context.Context, *pb.Empty) (*pb.Empty, error) {
			return &pb.Empty{}, s.servePeer(st.File())
		})
	case LinkAttach:
		return link.Reply(st, new(pb.Target), func(_ context.Context, t *pb.Target) (*pb.Empty, error) {
			return &pb.Empty{}, s.direct.attach(t.GetHandle(), st.File())
		})
	case LinkDrain:
		return link.Reply(st, new(whpb.DrainRequest), func(_ context.Context, req *whpb.DrainRequest) (*whpb.DrainResponse, error) {
			idle := time.Duration(req.GetIdleMs()) * time.Millisecond
			return &whpb.DrainResponse{Drained: s.peers.drain(idle)}, nil
		})
	}
	return unknownMethod(m)
}

// servePeer serves calls from a parent worker on the worker's end f of a
// direct link. Only calls and fetches are served there.
func (s *workerServer) servePeer(f *os.File) error {
	if f == nil {
		return rpcerr.Errorf(codes.InvalidArgument, "serve direct link: no socket came with the request")
	}
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("serve direct link: %w", err)
	}
	// A new link after a drain means the supervisor kept this worker.
	s.peers.resume()
	link.New(nc, link.Options{MaxMessageSize: MaxMessageSize, Handler: func(m link.Method, st *link.Stream) error {
		if m != LinkCall && m != LinkFetch {
			return unknownMethod(m)
		}
		if err := s.peers.begin(); err != nil {
			return err
		}
		defer s.peers.end()
		if m == LinkCall {
			return s.serveCall(st)
		}
		return s.serveFetch(st)
	}})
	return nil
}

func (s *workerServer) serveCall(st *link.Stream) error {
	req := new(pb.CallRequest)
	if err := st.Recv(req); err != nil {
		return err
	}
	resp, err := s.call(st.Context(), req)
	s.exitIfBroken(st.SetBroken)
	if err != nil {
		return rpcerr.ToStatus(err)
	}
	return rpcerr.ToStatus(nameTooLarge(req.Method, "the result is", st.Send(resp, true)))
}

// nameTooLarge returns err, and when err says a call's message was too
// large for the link, an error that names the method instead. what
// introduces the size, for example "the result is".
func nameTooLarge(method, what string, err error) error {
	var tooLarge *link.MessageTooLargeError
	if !errors.As(err, &tooLarge) {
		return err
	}
	return rpcerr.Errorf(codes.ResourceExhausted, "call %s(): %s %d bytes, over the limit of %d bytes", method, what, tooLarge.Size, tooLarge.Limit)
}

func (s *workerServer) serveFetch(st *link.Stream) error {
	markBroken := func() { s.exitIfBroken(st.SetBroken) }
	defer markBroken()
	return rpcerr.ToStatus(s.fetch(httpstream.LinkServer{S: st, BeforeEnd: markBroken}))
}

func unknownMethod(m link.Method) error {
	return rpcerr.ToStatus(rpcerr.Errorf(codes.Unimplemented, "link: unknown method %d", m))
}
