package webapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/dop251/goja"
)

// chunkSize is the largest chunk that one read of a Go body passes to
// JavaScript.
const chunkSize = 64 << 10

// goBody streams a Go body into a JavaScript ReadableStream. JavaScript pulls:
// each read() starts one Read on a new goroutine, and the chunk is posted back
// to the loop. The stream never pulls again before the previous read settles, so
// at most one goroutine reads at a time. The body is closed at its end, on a
// read error, or when the stream is cancelled.
type goBody struct {
	host   Host
	body   io.ReadCloser
	length int64 // the body's length when the Go side knew it, or -1

	// buf and err are used by one read goroutine at a time. Each read starts only
	// after the previous one was posted to the loop, and that orders them.
	buf []byte
	err error // a read error that came with the last bytes, reported next time

	closeOnce sync.Once
}

// hasBody reports whether an http body carries bytes worth a stream.
func hasBody(body io.ReadCloser) bool {
	return body != nil && body != http.NoBody
}

// newBodyStream returns a JavaScript ReadableStream that reads body, whose
// length is -1 when unknown. It must be called on the loop goroutine.
func (st *state) newBodyStream(body io.ReadCloser, length int64) (goja.Value, error) {
	b := &goBody{host: st.host, body: body, length: length}
	rt := st.rt
	handle := rt.NewObject()
	err := errors.Join(
		// goBody lets exportedBody take the Go body back; the handle is reachable
		// only from the stream's internal source, never from worker code.
		handle.Set("goBody", b),
		handle.Set("read", func(goja.FunctionCall) goja.Value {
			p, resolve, reject := rt.NewPromise()
			go b.read(resolve, reject)
			return rt.ToValue(p)
		}),
		handle.Set("cancel", func(goja.FunctionCall) goja.Value {
			b.close()
			return goja.Undefined()
		}),
	)
	if err != nil {
		return nil, err
	}
	return st.nativeStream(goja.Undefined(), handle)
}

// read reads one chunk and settles the pull promise on the loop: with an
// ArrayBuffer, with null at the end of the body, or with a TypeError.
func (b *goBody) read(resolve, reject func(any) error) {
	chunk, err := b.next()
	if err != nil {
		b.close()
	}
	posted := b.host.RunOnLoop(func(rt *goja.Runtime) {
		switch {
		case chunk != nil:
			_ = resolve(rt.NewArrayBuffer(chunk))
		case err == io.EOF:
			_ = resolve(nil)
		default:
			_ = reject(rt.NewTypeError("failed to read body: %s", err.Error()))
		}
	})
	if !posted {
		b.close()
	}
}

// next returns the next non-empty chunk, or the error that ends the body.
func (b *goBody) next() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	if b.buf == nil {
		b.buf = make([]byte, chunkSize)
	}
	for {
		n, err := b.body.Read(b.buf)
		if n > 0 {
			b.err = err
			return bytes.Clone(b.buf[:n]), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// close closes the Go body once. It may run while a read goroutine is blocked in
// Read, which then fails; net/http bodies and io.Pipe allow that.
func (b *goBody) close() {
	b.closeOnce.Do(func() {
		_ = b.body.Close()
	})
}
