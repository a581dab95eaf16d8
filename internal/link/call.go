package link

import (
	"context"

	"google.golang.org/protobuf/proto"
)

// Call sends req on a new stream for m as its only message and reads the
// only reply into resp. broken reports whether the reply carried the mark
// of Stream.SetBroken, with the reply or with the error.
func (c *Conn) Call(ctx context.Context, m Method, req, resp proto.Message) (broken bool, err error) {
	s, err := c.Open(ctx, m)
	if err != nil {
		return false, err
	}
	defer s.Close()
	if err := s.Send(req, true); err != nil {
		return false, err
	}
	err = s.Recv(resp)
	return s.Broken(), err
}

// Reply reads the only message of a stream the peer opened with Call into
// req, runs serve on it, and sends the result as the only reply. A non-nil
// error from serve is returned for the handler to end the stream with.
func Reply[Req, Resp proto.Message](s *Stream, req Req, serve func(context.Context, Req) (Resp, error)) error {
	if err := s.Recv(req); err != nil {
		return err
	}
	resp, err := serve(s.Context(), req)
	if err != nil {
		return err
	}
	return s.Send(resp, true)
}
