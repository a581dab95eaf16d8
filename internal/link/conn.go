package link

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Method names what an opened stream is for. The values are the
// protocol's and never change meaning.
type Method byte

// Handler serves a stream the peer opened. It runs on a goroutine of its
// own. When it returns, the stream ends with its error, converted by
// status.Convert, unless it already ended with Stream.Reply.
type Handler func(m Method, s *Stream) error

// Options configure a Conn.
type Options struct {
	// Odd makes this side open streams with odd IDs. Exactly one side of a
	// link sets it.
	Odd bool
	// Handler serves the streams the peer opens. Without one, every stream
	// the peer opens ends with UNIMPLEMENTED.
	Handler Handler
	// MaxMessageSize bounds one message in bytes, in both directions.
	// Default DefaultMaxMessageSize.
	MaxMessageSize int
	// Window is the number of bytes of messages the peer may send on a
	// stream before this side has read them. Default DefaultWindow.
	Window int
	// AcceptFiles lets the peer pass descriptors with Conn.CallWithFile.
	// Without it, descriptors the peer sends are closed unread, and a frame
	// that claims one closes the link.
	AcceptFiles bool
	// MaxStreams bounds the streams each side may have open at once. Open
	// waits for a free slot; a stream the peer opens over the limit ends
	// with RESOURCE_EXHAUSTED. Both sides must use the same value. Default
	// DefaultMaxStreams.
	MaxStreams int
	// OnFull, if set, runs on its own goroutine when Open finds every slot
	// taken, at most once a second: a workerhost uses it to collect
	// garbage, which closes the bodies of responses its worker dropped.
	OnFull func()
}

// Defaults of Options.
const (
	DefaultMaxMessageSize = 80 << 20
	DefaultWindow         = 256 << 10
	DefaultMaxStreams     = 1024
)

// ErrClosed is the cause of the errors of streams that end because the
// link closed.
var ErrClosed = errors.New("link closed")

// Conn is one side of a link. Its methods are safe for concurrent use.
type Conn struct {
	nc   net.Conn
	opts Options
	done chan struct{}

	// files is the reader of a link with AcceptFiles set.
	files *fileReader

	writeMu sync.Mutex

	mu      sync.Mutex
	nextID  uint32
	streams map[uint32]*Stream
	peer    int // streams the peer opened that are still open
	own     int // streams this side opened that are still open
	// slotFreed is closed, and replaced, when a stream this side opened
	// ends.
	slotFreed chan struct{}
	lastFull  time.Time
	err       error
}

// New starts a link on nc and reads from it until it fails or Close is
// called.
func New(nc net.Conn, opts Options) *Conn {
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.MaxStreams <= 0 {
		opts.MaxStreams = DefaultMaxStreams
	}
	c := &Conn{nc: nc, opts: opts, done: make(chan struct{}), streams: make(map[uint32]*Stream), slotFreed: make(chan struct{})}
	c.nextID = 2
	if opts.Odd {
		c.nextID = 1
	}
	if uc, ok := nc.(*net.UnixConn); ok && opts.AcceptFiles {
		c.files = newFileReader(uc)
	}
	go c.read()
	return c
}

// Done is closed when the link has closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the link closed, or nil while it is open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the link. Streams in progress end with an UNAVAILABLE error.
// It is safe to call more than once.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	return nil
}

// Open opens a stream for method. The stream is sent to the peer with its
// first message. Cancelling ctx abandons the stream. Open waits while
// MaxStreams streams this side opened are open.
func (c *Conn) Open(ctx context.Context, m Method) (*Stream, error) {
	c.mu.Lock()
	for c.err == nil && c.own >= c.opts.MaxStreams {
		freed := c.slotFreed
		c.fullLocked()
		c.mu.Unlock()
		select {
		case <-freed:
		case <-c.done:
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		c.mu.Lock()
	}
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, unavailable(err)
	}
	c.own++
	id := c.nextID
	c.nextID += 2
	for c.nextID == 0 || c.streams[c.nextID] != nil {
		// The IDs wrapped around: skip the reserved 0 and those in use.
		c.nextID += 2
	}
	s := newStream(c, id, m, true, ctx)
	c.streams[id] = s
	c.mu.Unlock()
	s.stopWatch = context.AfterFunc(ctx, func() { s.abandon(ctx.Err()) })
	return s, nil
}

// read reads frames until the connection fails and dispatches each to its
// stream.
func (c *Conn) read() {
	var src io.Reader = c.nc
	if c.files != nil {
		src = c.files
		defer c.files.closeAll()
	}
	r := bufio.NewReaderSize(src, 64<<10)
	buf := make([]byte, headerSize)
	for {
		h, payload, err := readFrame(r, buf, uint32(c.opts.MaxMessageSize))
		if err == nil {
			err = c.dispatch(h, payload)
		}
		if err != nil {
			c.fail(err)
			return
		}
	}
}

// dispatch hands one frame to its stream. An error is a protocol violation
// that closes the link.
func (c *Conn) dispatch(h header, payload []byte) error {
	if h.typ == frameOpen {
		return c.accept(h, payload)
	}
	mine := c.ownID(h.stream)
	c.mu.Lock()
	s := c.streams[h.stream]
	c.mu.Unlock()
	if s == nil {
		// The stream ended on this side while the frame was on its way.
		return nil
	}
	switch h.typ {
	case frameMessage:
		return s.deliver(payload, h.flags)
	case frameEnd:
		if !mine {
			return fmt.Errorf("stream %d: end frame from the side that opened it", h.stream)
		}
		s.finish(endError(payload), h.flags&flagBroken != 0)
	case frameCancel:
		if mine {
			return fmt.Errorf("stream %d: cancel frame from the side that accepted it", h.stream)
		}
		s.abandon(context.Canceled)
	case frameWindow:
		s.grant(payload)
	}
	return nil
}

// accept starts the handler of a stream the peer opened.
func (c *Conn) accept(h header, payload []byte) error {
	if c.ownID(h.stream) {
		return fmt.Errorf("stream %d: opened with an ID of this side", h.stream)
	}
	c.mu.Lock()
	if c.streams[h.stream] != nil {
		c.mu.Unlock()
		return fmt.Errorf("stream %d: opened twice", h.stream)
	}
	s := newStream(c, h.stream, h.method, false, context.Background())
	if h.flags&flagFile != 0 {
		if c.files == nil {
			c.mu.Unlock()
			return fmt.Errorf("stream %d: a descriptor was sent, but this link does not accept them", h.stream)
		}
		f, err := c.files.take()
		if err != nil {
			c.mu.Unlock()
			return err
		}
		s.file = f
	}
	c.streams[h.stream] = s
	full := c.peer >= c.opts.MaxStreams
	c.peer++
	c.mu.Unlock()

	if err := s.deliver(payload, h.flags); err != nil {
		return err
	}
	handler := c.opts.Handler
	go func() {
		switch {
		case full:
			s.end(status.Errorf(codes.ResourceExhausted, "too many calls in progress on this link (the limit is %d)", c.opts.MaxStreams))
			return
		case handler == nil:
			s.end(status.Errorf(codes.Unimplemented, "link: no handler for method %d", s.method))
			return
		}
		s.end(handler(s.method, s))
	}()
	return nil
}

// ownID reports whether id is of a stream this side opened.
func (c *Conn) ownID(id uint32) bool { return (id%2 == 1) == c.opts.Odd }

// fullLocked runs OnFull, at most once a second.
func (c *Conn) fullLocked() {
	if c.opts.OnFull == nil || time.Since(c.lastFull) < time.Second {
		return
	}
	c.lastFull = time.Now()
	go c.opts.OnFull()
}

// remove deletes a stream that has ended on this side from the table.
func (c *Conn) remove(s *Stream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.streams[s.id] != s {
		return
	}
	delete(c.streams, s.id)
	if !s.opener {
		c.peer--
		return
	}
	c.own--
	close(c.slotFreed)
	c.slotFreed = make(chan struct{})
}

// fail closes the link with err and ends every stream.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	streams := c.streams
	c.streams = make(map[uint32]*Stream)
	c.mu.Unlock()

	close(c.done)
	c.nc.Close()
	for _, s := range streams {
		s.finish(unavailable(err), false)
	}
}

// write sends one frame. A failed write closes the link.
func (c *Conn) write(h header, payload []byte) error {
	h.length = uint32(len(payload))
	var hdr [headerSize]byte
	h.encode(hdr[:])

	c.writeMu.Lock()
	var err error
	if len(payload) <= 4<<10 {
		// One write, so the peer wakes once.
		_, err = c.nc.Write(append(hdr[:], payload...))
	} else {
		bufs := net.Buffers{hdr[:], payload}
		_, err = bufs.WriteTo(c.nc)
	}
	c.writeMu.Unlock()
	if err != nil {
		c.fail(err)
		return unavailable(err)
	}
	return nil
}

func unavailable(err error) error {
	return status.Error(codes.Unavailable, "link closed: "+err.Error())
}
