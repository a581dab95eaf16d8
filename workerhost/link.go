package workerhost

import (
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc/codes"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// LinkFD is the file descriptor on which a workerhost finds its link to the
// supervisor. The link carries calls and fetches both ways: the supervisor
// calls this worker, and a parent worker calls the workers it loaded.
const LinkFD = 4

// Methods on the link. Each side serves both.
const (
	// LinkCall carries one dynworker.v1.CallRequest and its CallResponse.
	LinkCall link.Method = 1
	// LinkFetch carries dynworker.v1.FetchRequest messages one way and
	// FetchResponse messages back, as the Fetch RPC does.
	LinkFetch link.Method = 2
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
	return link.New(c, link.Options{Handler: h, MaxMessageSize: MaxMessageSize}), nil
}

// serveLink serves the supervisor's calls and fetches to this worker.
func (s *workerServer) serveLink(m link.Method, st *link.Stream) error {
	switch m {
	case LinkCall:
		req := new(pb.CallRequest)
		if err := st.Recv(req); err != nil {
			return err
		}
		resp, err := s.call(st.Context(), req)
		s.exitIfBroken(st.SetBroken)
		if err != nil {
			return rpcerr.ToStatus(err)
		}
		return st.Send(resp, true)
	case LinkFetch:
		defer s.exitIfBroken(st.SetBroken)
		return rpcerr.ToStatus(s.fetch(httpstream.LinkServer{S: st}))
	}
	return rpcerr.ToStatus(rpcerr.Errorf(codes.Unimplemented, "link: unknown method %d", m))
}
