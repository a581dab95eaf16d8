package webapi

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"
)

// jsBody is an io.ReadCloser over a JavaScript ReadableStream, which it keeps
// locked. Read and Close may be called from any goroutine except the loop's: a
// Read that finds no buffered bytes posts one read of the stream to the loop and
// waits for its result or for Close.
type jsBody struct {
	st     *state
	reader goja.Value // the internal reader; used only on the loop goroutine

	results chan chunkResult // capacity 1, and at most one read is posted at a time
	done    chan struct{}    // closed by Close
	close   sync.Once

	mu      sync.Mutex // serializes Read and guards pending and err
	pending []byte
	err     error
}

type chunkResult struct {
	data []byte
	err  error
}

var _ io.ReadCloser = (*jsBody)(nil)

func newJSBody(st *state, reader goja.Value) *jsBody {
	return &jsBody{
		st:      st,
		reader:  reader,
		results: make(chan chunkResult, 1),
		done:    make(chan struct{}),
	}
}

// Read blocks until the stream produces a chunk, ends, fails, or Close is called.
// It must not be called on the loop goroutine, which it waits for.
func (b *jsBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.pending) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		b.pending, b.err = b.fetch()
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

func (b *jsBody) fetch() ([]byte, error) {
	select {
	case <-b.done:
		return nil, ErrBodyClosed
	default:
	}
	if !b.st.host.RunOnLoop(b.postRead) {
		return nil, ErrLoopStopped
	}
	select {
	case r := <-b.results:
		return r.data, r.err
	case <-b.done:
		return nil, ErrBodyClosed
	}
}

// postRead runs on the loop and starts one read whose callback sends the result.
func (b *jsBody) postRead(rt *goja.Runtime) {
	callback := func(call goja.FunctionCall) goja.Value {
		b.results <- b.toResult(rt, call)
		return goja.Undefined()
	}
	if _, err := b.st.readChunk(goja.Undefined(), b.reader, rt.ToValue(callback)); err != nil {
		b.results <- chunkResult{err: fmt.Errorf("read body stream: %w", err)}
	}
}

// toResult converts the (bytes, done, errorMessage) arguments of the read
// callback. The bytes are copied because JavaScript owns the chunk.
func (b *jsBody) toResult(rt *goja.Runtime, call goja.FunctionCall) chunkResult {
	if msg := call.Argument(2); !goja.IsNull(msg) && !goja.IsUndefined(msg) {
		return chunkResult{err: fmt.Errorf("read body stream: %s", msg.String())}
	}
	if call.Argument(1).ToBoolean() {
		return chunkResult{err: io.EOF}
	}
	var view []byte
	if err := rt.ExportTo(call.Argument(0), &view); err != nil {
		return chunkResult{err: fmt.Errorf("read body stream: %w", err)}
	}
	return chunkResult{data: bytes.Clone(view)}
}

// Close cancels the JavaScript stream, unless it already ended, and makes a
// blocked or later Read return ErrBodyClosed. It does not wait for the loop and
// is safe to call more than once.
func (b *jsBody) Close() error {
	b.close.Do(func() {
		close(b.done)
		b.st.host.RunOnLoop(func(rt *goja.Runtime) {
			msg := rt.ToValue("The body was closed before it was fully read.")
			_, _ = b.st.cancelReader(goja.Undefined(), b.reader, msg)
		})
	})
	return nil
}
