package httpstream

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

var errBodyClosed = errors.New("read on closed body")

// bodyReader reads a body from a stream of chunk messages. Close may run
// while a Read waits for a message; onDone must then unblock that wait, for
// example by cancelling the stream's context.
type bodyReader struct {
	next   func() (chunk []byte, end bool, err error)
	onDone func()
	once   sync.Once
	closed atomic.Bool

	mu  sync.Mutex
	buf []byte
	end bool
	err error
}

func newBodyReader(first []byte, end bool, next func() ([]byte, bool, error)) *bodyReader {
	return &bodyReader{next: next, buf: first, end: end}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.buf) == 0 {
		if b.closed.Load() {
			return 0, errBodyClosed
		}
		if b.err != nil {
			return 0, b.err
		}
		if b.end {
			b.finishLocked(io.EOF)
			return 0, io.EOF
		}
		chunk, end, err := b.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			b.finishLocked(err)
			return 0, err
		}
		b.buf, b.end = chunk, end
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

// Close stops the body. It does not wait for a Read in progress.
func (b *bodyReader) Close() error {
	b.closed.Store(true)
	b.done()
	return nil
}

func (b *bodyReader) finishLocked(err error) {
	b.err = err
	b.done()
}

func (b *bodyReader) done() {
	b.once.Do(func() {
		if b.onDone != nil {
			b.onDone()
		}
	})
}
