package httpstream

import (
	"context"

	"github.com/dynworker/dynworker/internal/link"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// LinkClient is a ClientStream on a link stream. The request message with
// End set is the stream's last message from the client.
type LinkClient struct{ S *link.Stream }

// LinkOpener returns an Opener of streams for method m on c.
func LinkOpener(c *link.Conn, m link.Method) Opener {
	return func(ctx context.Context) (ClientStream, error) {
		s, err := c.Open(ctx, m)
		if err != nil {
			return nil, err
		}
		return LinkClient{S: s}, nil
	}
}

func (c LinkClient) Send(m *pb.FetchRequest) error { return c.S.Send(m, m.End) }

func (c LinkClient) Recv() (*pb.FetchResponse, error) {
	m := new(pb.FetchResponse)
	if err := c.S.Recv(m); err != nil {
		return nil, err
	}
	return m, nil
}

// CloseSend is a no-op: SendRequest ends every request with an End
// message, and a request cut short is abandoned by cancelling the context.
func (c LinkClient) CloseSend() error { return nil }

// LinkServer is the accepting side of a Fetch-shaped link stream.
type LinkServer struct {
	S *link.Stream
	// BeforeEnd, if set, runs before the response message with End set
	// goes out, for example to mark the stream with Stream.SetBroken.
	BeforeEnd func()
}

func (s LinkServer) Recv() (*pb.FetchRequest, error) {
	m := new(pb.FetchRequest)
	if err := s.S.Recv(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Send sends m. The response message with End set also ends the stream,
// so the client needs no further frame.
func (s LinkServer) Send(m *pb.FetchResponse) error {
	if m.End && s.BeforeEnd != nil {
		s.BeforeEnd()
	}
	return s.S.Send(m, m.End)
}

// Context returns the stream's context.
func (s LinkServer) Context() context.Context { return s.S.Context() }
