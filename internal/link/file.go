package link

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/proto"
)

// maxFilesQueued bounds the descriptors a link holds before the frames
// that carry them are read.
const maxFilesQueued = 16

// fileReader reads a Unix socket and keeps the descriptors that arrive
// with the bytes, in order, for the frames marked with flagFile.
type fileReader struct {
	uc  *net.UnixConn
	oob []byte

	mu    sync.Mutex
	files []*os.File
	err   error
}

func newFileReader(uc *net.UnixConn) *fileReader {
	return &fileReader{uc: uc, oob: make([]byte, unix.CmsgSpace(4*maxFilesQueued))}
}

func (r *fileReader) Read(p []byte) (int, error) {
	n, oobn, _, _, err := r.uc.ReadMsgUnix(p, r.oob)
	if oobn > 0 {
		r.keep(r.oob[:oobn])
	}
	if n < 0 {
		// A failed read can report -1.
		n = 0
	}
	if n == 0 && err == nil && len(p) > 0 {
		// recvmsg returns no bytes only at the end of the stream.
		err = io.EOF
	}
	return n, err
}

// keep stores the descriptors of one control message.
func (r *fileReader) keep(oob []byte) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.err = fmt.Errorf("read descriptors: %w", err)
		return
	}
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			f := os.NewFile(uintptr(fd), "link-file")
			if len(r.files) >= maxFilesQueued {
				f.Close()
				r.err = fmt.Errorf("read descriptors: more than %d wait for their frames", maxFilesQueued)
				continue
			}
			unix.CloseOnExec(fd)
			r.files = append(r.files, f)
		}
	}
}

// take returns the oldest descriptor not yet claimed by a frame.
func (r *fileReader) take() (*os.File, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	if len(r.files) == 0 {
		return nil, fmt.Errorf("read frame: the frame is marked as carrying a descriptor, but none came")
	}
	f := r.files[0]
	r.files = r.files[1:]
	return f, nil
}

// closeAll closes the descriptors no frame claimed.
func (r *fileReader) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.files {
		f.Close()
	}
	r.files = nil
}

// CallWithFile is Call with f passed to the peer along with req. The peer
// must have set Options.AcceptFiles; it finds f with Stream.File. f stays
// open on this side.
func (c *Conn) CallWithFile(ctx context.Context, m Method, req, resp proto.Message, f *os.File) error {
	s, err := c.Open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	b, err := proto.Marshal(req)
	if err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	typ, flags, err := s.reserve(len(b), true)
	if err != nil {
		return err
	}
	h := header{stream: s.id, typ: typ, flags: flags | flagFile, method: m, length: uint32(len(b))}
	if err := c.writeFile(h, b, f); err != nil {
		return err
	}
	return s.Recv(resp)
}

// writeFile sends one frame with the descriptor of f attached to its first
// byte.
func (c *Conn) writeFile(h header, payload []byte, f *os.File) error {
	uc, ok := c.nc.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("send descriptor: the link is not on a Unix socket")
	}
	buf := make([]byte, headerSize, headerSize+len(payload))
	h.encode(buf)
	buf = append(buf, payload...)
	oob := unix.UnixRights(int(f.Fd()))

	c.writeMu.Lock()
	n, _, err := uc.WriteMsgUnix(buf, oob, nil)
	if err == nil && n < len(buf) {
		_, err = uc.Write(buf[n:])
	}
	c.writeMu.Unlock()
	if err != nil {
		c.fail(err)
		return unavailable(err)
	}
	return nil
}

// File returns the descriptor that came with the stream's first message,
// or nil. The caller owns it.
func (s *Stream) File() *os.File {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.file
	s.file = nil
	return f
}
