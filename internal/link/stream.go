package link

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// MessageTooLargeError is the error of Send for a message over the link's
// MaxMessageSize. Its gRPC code is RESOURCE_EXHAUSTED.
type MessageTooLargeError struct {
	Size, Limit int // in bytes
}

func (e *MessageTooLargeError) Error() string {
	return fmt.Sprintf("send message: %d bytes is over the limit of %d", e.Size, e.Limit)
}

// GRPCStatus returns the error as a RESOURCE_EXHAUSTED status.
func (e *MessageTooLargeError) GRPCStatus() *status.Status {
	return status.New(codes.ResourceExhausted, e.Error())
}

// Stream is one call on a link: messages both ways, then an end with a
// status. The side that opened it sends first; the side that accepted it
// ends it. Send and Recv may run on different goroutines, but each on one
// goroutine at a time.
type Stream struct {
	c      *Conn
	id     uint32
	method Method
	opener bool
	ctx    context.Context
	cancel context.CancelFunc
	// stopWatch stops the watch of the opener's context.
	stopWatch func() bool

	mu sync.Mutex
	// queue holds received messages not yet read.
	queue [][]byte
	// recvDone is set when the peer has sent its last message.
	recvDone bool
	// ended is set when the stream has ended, with endErr and broken.
	ended  bool
	endErr error
	broken bool
	// sent is set once a message has gone out; the first goes in the
	// opening frame.
	sent       bool
	sendDone   bool
	sendCredit int
	// recvCredit mirrors the peer's sendCredit; pendingGrant counts bytes
	// read but not yet granted back.
	recvCredit   int
	pendingGrant int
	// file is the descriptor that came with the opening frame.
	file *os.File
	// recvWake is signalled when a message or the end arrives, and
	// sendWake when credit or the end arrives. Send and Recv may wait at
	// the same time, so each has its own.
	recvWake chan struct{}
	sendWake chan struct{}
}

// newStream returns a stream. An opener's stream lives in the opener's
// context; an accepted stream gets a context of its own that ends with it.
func newStream(c *Conn, id uint32, m Method, opener bool, ctx context.Context) *Stream {
	cancel := func() {}
	if !opener {
		ctx, cancel = context.WithCancel(context.Background())
	}
	return &Stream{
		c: c, id: id, method: m, opener: opener, ctx: ctx, cancel: cancel,
		sendCredit: c.opts.Window, recvCredit: c.opts.Window,
		recvWake: make(chan struct{}, 1),
		sendWake: make(chan struct{}, 1),
	}
}

// Context returns the stream's context. On the accepting side it is
// cancelled when the opener abandons the stream or the link closes.
func (s *Stream) Context() context.Context { return s.ctx }

// Send sends m. last marks the sender's last message. On the accepting
// side a last message also ends the stream with success. Send blocks while
// the peer's window for this stream is used up.
func (s *Stream) Send(m proto.Message, last bool) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	if len(b) > s.c.opts.MaxMessageSize {
		return &MessageTooLargeError{Size: len(b), Limit: s.c.opts.MaxMessageSize}
	}
	typ, flags, err := s.reserve(len(b), last)
	if err != nil {
		return err
	}
	if err := s.c.write(header{stream: s.id, typ: typ, flags: flags, method: s.method}, b); err != nil {
		return err
	}
	if last && !s.opener {
		s.finish(nil, flags&flagBroken != 0)
	}
	return nil
}

// reserve waits for send credit and takes n bytes of it. It returns the
// frame type and flags of the message.
func (s *Stream) reserve(n int, last bool) (typ, flags byte, err error) {
	for {
		s.mu.Lock()
		switch {
		case s.ended && s.opener && s.endErr != nil:
			err = s.endErr
		case s.ended || s.sendDone:
			err = fmt.Errorf("send message: stream %d is closed for sending", s.id)
		case s.sendCredit > 0:
			// A message may overdraw the credit, so one larger than the
			// window still goes.
			s.sendCredit -= n
			s.sendDone = last
			typ = frameMessage
			if s.opener && !s.sent {
				typ = frameOpen
			}
			s.sent = true
			if last {
				flags |= flagLast
			}
			if s.broken {
				flags |= flagBroken
			}
		}
		s.mu.Unlock()
		if err != nil || typ != 0 {
			return typ, flags, err
		}
		select {
		case <-s.sendWake:
		case <-s.ctx.Done():
			return 0, 0, status.FromContextError(s.ctx.Err()).Err()
		}
	}
}

// Recv reads the next message into m. It returns io.EOF once the peer's
// last message was read and, on the opening side, the stream ended with
// success. It returns the stream's error when the stream ended with one.
func (s *Stream) Recv(m proto.Message) error {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			b := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			grant := s.consumedLocked(len(b))
			s.mu.Unlock()
			if grant > 0 {
				s.sendGrant(grant)
			}
			if err := proto.Unmarshal(b, m); err != nil {
				return status.Errorf(codes.Internal, "receive message: %v", err)
			}
			return nil
		}
		ended, endErr, recvDone := s.ended, s.endErr, s.recvDone
		s.mu.Unlock()
		switch {
		case ended && endErr != nil:
			return endErr
		case ended || recvDone:
			return io.EOF
		}
		select {
		case <-s.recvWake:
		case <-s.ctx.Done():
			return status.FromContextError(s.ctx.Err()).Err()
		}
	}
}

// consumedLocked counts n bytes as read and returns how many to grant back
// to the peer, zero until half the window is read.
func (s *Stream) consumedLocked(n int) int {
	s.pendingGrant += n
	if s.pendingGrant < s.c.opts.Window/2 || s.recvDone || s.ended {
		return 0
	}
	grant := s.pendingGrant
	s.pendingGrant = 0
	s.recvCredit += grant
	return grant
}

func (s *Stream) sendGrant(n int) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(n))
	_ = s.c.write(header{stream: s.id, typ: frameWindow}, b[:])
}

// SetBroken marks the stream's end as coming from a runtime the handler
// left unusable. It must be called before the stream ends.
func (s *Stream) SetBroken() {
	s.mu.Lock()
	s.broken = true
	s.mu.Unlock()
}

// Broken reports whether the stream ended with the mark of SetBroken. It
// is meaningful once Recv has returned io.EOF or an error.
func (s *Stream) Broken() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken
}

// Close abandons the stream on the opening side, which cancels the context
// of the peer's handler. It is safe to call after the stream has ended.
func (s *Stream) Close() {
	s.abandon(context.Canceled)
}

// deliver queues a received message. It runs on the link's reader.
func (s *Stream) deliver(payload []byte, flags byte) error {
	s.mu.Lock()
	if s.recvDone {
		s.mu.Unlock()
		return fmt.Errorf("stream %d: message after the last one", s.id)
	}
	if s.recvCredit <= 0 {
		s.mu.Unlock()
		return fmt.Errorf("stream %d: peer sent past its window", s.id)
	}
	s.recvCredit -= len(payload)
	s.queue = append(s.queue, payload)
	last := flags&flagLast != 0
	s.recvDone = last
	s.mu.Unlock()
	if last && s.opener {
		s.finish(nil, flags&flagBroken != 0)
		return nil
	}
	signal(s.recvWake)
	return nil
}

// grant adds credit the peer granted. It runs on the link's reader.
func (s *Stream) grant(payload []byte) {
	n := int(binary.BigEndian.Uint32(payload))
	s.mu.Lock()
	s.sendCredit += n
	s.mu.Unlock()
	signal(s.sendWake)
}

// signal wakes the goroutine waiting on wake, if any, or the next to wait.
func signal(wake chan struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}

// finish ends the stream on this side with err, nil for success. Messages
// already received stay readable.
func (s *Stream) finish(err error, broken bool) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.endErr = err
	s.broken = s.broken || broken
	if s.file != nil {
		// The handler did not take the descriptor that came with the
		// stream.
		s.file.Close()
		s.file = nil
	}
	s.mu.Unlock()
	if s.stopWatch != nil {
		s.stopWatch()
	}
	s.c.remove(s)
	signal(s.recvWake)
	signal(s.sendWake)
	if !s.opener {
		s.cancel()
	}
}

// end ends a stream this side accepted with err, unless a last message
// already ended it, and sends the peer an end frame.
func (s *Stream) end(err error) {
	s.mu.Lock()
	ended, broken := s.ended, s.broken
	s.mu.Unlock()
	if ended {
		return
	}
	var payload []byte
	if err != nil {
		payload, _ = proto.Marshal(status.Convert(err).Proto())
	}
	var flags byte
	if broken {
		flags = flagBroken
	}
	s.finish(err, broken)
	_ = s.c.write(header{stream: s.id, typ: frameEnd, flags: flags}, payload)
}

// abandon ends the stream with the error of cause. On the side that
// opened it, it also sends the peer a cancel frame. On the accepting side
// the opener gave up, so the handler stops and needs no end frame.
func (s *Stream) abandon(cause error) {
	s.mu.Lock()
	ended := s.ended
	s.mu.Unlock()
	if ended {
		return
	}
	s.finish(status.FromContextError(cause).Err(), false)
	if s.opener {
		_ = s.c.write(header{stream: s.id, typ: frameCancel}, nil)
	}
}

// endError decodes the status of an end frame.
func endError(payload []byte) error {
	if len(payload) == 0 {
		return nil
	}
	var st spb.Status
	if err := proto.Unmarshal(payload, &st); err != nil {
		return status.Errorf(codes.Internal, "link: undecodable end status: %v", err)
	}
	if codes.Code(st.Code) == codes.OK {
		return status.Errorf(codes.Internal, "link: stream ended with an OK status and message %q", st.Message)
	}
	return status.ErrorProto(&st)
}
