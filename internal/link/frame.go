package link

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Frame types.
const (
	// frameOpen opens a stream and carries its first message.
	frameOpen byte = iota + 1
	// frameMessage carries one message on a stream.
	frameMessage
	// frameEnd ends a stream from the side that accepted it. Its payload is
	// a google.rpc.Status; empty means success.
	frameEnd
	// frameCancel abandons a stream from the side that opened it.
	frameCancel
	// frameWindow grants the peer more bytes to send on a stream. Its
	// payload is a big-endian uint32.
	frameWindow
	frameTypeMax = frameWindow
)

// Frame flags.
const (
	// flagLast marks the sender's last message on a stream. From the side
	// that accepted the stream it also ends the stream with success.
	flagLast byte = 1 << iota
	// flagBroken marks the end of a stream whose handler left its runtime
	// unusable.
	flagBroken
	// flagFile marks an opening frame sent with a descriptor attached.
	flagFile
)

// headerSize is the size of a frame header in bytes.
const headerSize = 12

// header is the fixed part of a frame.
type header struct {
	length uint32
	stream uint32
	typ    byte
	flags  byte
	method Method
}

func (h header) encode(b []byte) {
	binary.BigEndian.PutUint32(b[0:4], h.length)
	binary.BigEndian.PutUint32(b[4:8], h.stream)
	b[8] = h.typ
	b[9] = h.flags
	b[10] = byte(h.method)
	b[11] = 0
}

// readHeader reads and checks one frame header. maxPayload bounds the
// payload length the header may announce.
func readHeader(r io.Reader, buf []byte, maxPayload uint32) (header, error) {
	if _, err := io.ReadFull(r, buf[:headerSize]); err != nil {
		return header{}, err
	}
	h := header{
		length: binary.BigEndian.Uint32(buf[0:4]),
		stream: binary.BigEndian.Uint32(buf[4:8]),
		typ:    buf[8],
		flags:  buf[9],
		method: Method(buf[10]),
	}
	switch {
	case h.typ == 0 || h.typ > frameTypeMax:
		return h, fmt.Errorf("read frame: unknown frame type %d", h.typ)
	case h.length > maxPayload:
		return h, fmt.Errorf("read frame: payload of %d bytes is over the limit of %d", h.length, maxPayload)
	case h.stream == 0:
		return h, fmt.Errorf("read frame: stream ID 0 is reserved")
	case h.typ == frameWindow && h.length != 4:
		return h, fmt.Errorf("read frame: window frame has %d payload bytes, want 4", h.length)
	case h.typ == frameCancel && h.length != 0:
		return h, fmt.Errorf("read frame: cancel frame has %d payload bytes, want 0", h.length)
	}
	return h, nil
}

// readFrame reads one whole frame. The payload is a new slice the caller
// owns.
func readFrame(r io.Reader, buf []byte, maxPayload uint32) (header, []byte, error) {
	h, err := readHeader(r, buf, maxPayload)
	if err != nil {
		return h, nil, err
	}
	if h.length == 0 {
		return h, nil, nil
	}
	payload := make([]byte, h.length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return h, nil, fmt.Errorf("read frame payload: %w", err)
	}
	return h, payload, nil
}
