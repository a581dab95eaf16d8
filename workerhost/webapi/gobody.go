package webapi

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"
)

// chunkSize is the largest chunk that one read of a Go body passes to
// JavaScript when the body streams.
const chunkSize = 64 << 10

// maxReadAllSize is the most that one bodyReadAll call reads into one buffer.
// A larger body takes several calls, whose parts JavaScript joins.
const maxReadAllSize = 16 << 20

// maxReturnedChunks is the most chunk buffers, 1 MiB in all, that one
// readUpTo call puts back into chunkBuffers.
const maxReturnedChunks = 16

// chunkBuffers contains *[]byte buffers of chunkSize for goBody.next and
// goBody.readUpTo. Bytes are copied out of a buffer before they go to
// JavaScript.
var chunkBuffers = sync.Pool{New: func() any {
	buf := make([]byte, chunkSize)
	return &buf
}}

// goBody passes a Go body to JavaScript. JavaScript either streams it, with
// one next() per read of the stream, or reads it whole with readAll(). Each
// read starts on a new goroutine, and its result is posted back to the loop.
// JavaScript never starts a read before the previous one settles, so at most
// one goroutine reads at a time. The body is closed at its end, on a read
// error, or when the stream is cancelled.
type goBody struct {
	host   Host
	body   io.ReadCloser
	length int64 // the body's length when the Go side knew it, or -1
	// owner closes body if the JavaScript value is collected while it
	// still owns the body: a response the worker dropped unread must not
	// hold its stream open.
	owner *bodyOwner

	// buf and err are used by one read goroutine at a time. Each read starts only
	// after the previous one was posted to the loop, and that orders them.
	buf *[]byte // from chunkBuffers, while the body streams
	err error   // a read error that came with the last bytes, reported next time

	closeOnce sync.Once
}

// hasBody reports whether an http body carries bytes worth a stream.
func hasBody(body io.ReadCloser) bool {
	return body != nil && body != http.NoBody
}

// newBodyHandle returns the JavaScript handle of a Go body, whose length is -1
// when unknown. The handle wraps the *goBody, which the bodyRead, bodyReadAll
// and bodyCancel natives take and exportedBody gives back to Go. It is
// reachable only from internal JavaScript state, never from worker code.
func (st *state) newBodyHandle(body io.ReadCloser, length int64) goja.Value {
	owner := &bodyOwner{body: body}
	b := &goBody{host: st.host, body: body, length: length, owner: owner}
	runtime.AddCleanup(b, (*bodyOwner).closeIfOwned, owner)
	return st.rt.ToValue(b)
}

// bodyOwner closes a body that its goBody still owned when it was
// collected.
type bodyOwner struct {
	body     io.ReadCloser
	released atomic.Bool
}

// release hands the body to a new owner, which must close it.
func (o *bodyOwner) release() { o.released.Store(true) }

func (o *bodyOwner) closeIfOwned() {
	if !o.released.Load() {
		_ = o.body.Close()
	}
}

// bodyArgument returns the goBody of a handle, which must be the first
// argument.
func (st *state) bodyArgument(call goja.FunctionCall) *goBody {
	b, ok := call.Argument(0).Export().(*goBody)
	if !ok {
		throwTypeError(st.rt, "invalid Go body handle: %s", call.Argument(0))
	}
	return b
}

// nativeBodyRead reads one chunk of a Go body on a new goroutine. It returns a
// promise of an ArrayBuffer, of null at the end of the body, or of a TypeError.
func (st *state) nativeBodyRead(call goja.FunctionCall) goja.Value {
	b := st.bodyArgument(call)
	p, resolve, reject := st.rt.NewPromise()
	go b.read(resolve, reject)
	return st.rt.ToValue(p)
}

// nativeBodyReadAll reads a Go body to its end, or up to maxReadAllSize bytes,
// on a new goroutine. It returns a promise of {value, done}, where value is an
// ArrayBuffer or null and done is true when the body ended, or of a TypeError.
func (st *state) nativeBodyReadAll(call goja.FunctionCall) goja.Value {
	b := st.bodyArgument(call)
	p, resolve, reject := st.rt.NewPromise()
	go b.readAll(resolve, reject)
	return st.rt.ToValue(p)
}

// nativeBodyCancel closes a Go body.
func (st *state) nativeBodyCancel(call goja.FunctionCall) goja.Value {
	st.bodyArgument(call).close()
	return goja.Undefined()
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
		b.buf = chunkBuffers.Get().(*[]byte)
	}
	for {
		n, err := b.body.Read(*b.buf)
		if n > 0 {
			chunk := bytes.Clone((*b.buf)[:n])
			if err != nil {
				b.err = err
				b.releaseBuffer()
			}
			return chunk, nil
		}
		if err != nil {
			b.releaseBuffer()
			return nil, err
		}
	}
}

func (b *goBody) releaseBuffer() {
	chunkBuffers.Put(b.buf)
	b.buf = nil
}

// readAll reads up to maxReadAllSize bytes and settles the promise on the
// loop with {value, done}, or with a TypeError.
func (b *goBody) readAll(resolve, reject func(any) error) {
	data, err := b.readUpTo(maxReadAllSize)
	done := err != nil
	if done {
		b.close()
	}
	posted := b.host.RunOnLoop(func(rt *goja.Runtime) {
		if err != nil && err != io.EOF {
			_ = reject(rt.NewTypeError("failed to read body: %s", err.Error()))
			return
		}
		result := rt.NewObject()
		value := goja.Null()
		if len(data) > 0 {
			value = rt.ToValue(rt.NewArrayBuffer(data))
		}
		_ = result.Set("value", value)
		_ = result.Set("done", done)
		_ = resolve(result)
	})
	if !posted {
		b.close()
	}
}

// readUpTo reads the body until it ends or limit bytes are read, and returns
// the bytes in a buffer of their own. The error is io.EOF when the body ended
// and nil when limit bytes were read first.
//
// A body of known length is read into a buffer of that size, which is the
// result when the body ends there. Any other body is read into pooled chunks,
// which are then copied into one buffer of the exact size. Growing one buffer
// instead would copy as much and allocate twice the body.
func (b *goBody) readUpTo(limit int) ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	var sized []byte
	total := 0

	if b.length > 0 {
		sized = make([]byte, min(b.length, int64(limit)))
		n, err := fill(b.body, sized)
		if err != nil {
			b.err = err
			return trimmed(sized[:n]), err
		}
		total = n
	}

	var pooled []*[]byte
	defer func() {
		// The rest go to the garbage collector, so that one large body does
		// not leave the pool holding megabytes.
		for _, buf := range pooled[:min(len(pooled), maxReturnedChunks)] {
			chunkBuffers.Put(buf)
		}
	}()

	var parts [][]byte
	var err error
	for total < limit && err == nil {
		buf := chunkBuffers.Get().(*[]byte)
		pooled = append(pooled, buf)
		var n int
		n, err = fill(b.body, (*buf)[:min(chunkSize, limit-total)])
		parts = append(parts, (*buf)[:n])
		total += n
	}
	b.err = err

	if sized != nil && total == len(sized) {
		return sized, err
	}
	out := make([]byte, 0, total)
	out = append(out, sized...)
	for _, part := range parts {
		out = append(out, part...)
	}
	return out, err
}

// fill reads into buf until it is full or r fails, and returns the bytes read
// and the error, which is io.EOF at the end of r.
func fill(r io.Reader, buf []byte) (int, error) {
	total := 0
	for total < len(buf) {
		n, err := r.Read(buf[total:])
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// trimmed returns buf, or a copy of it when more than a quarter of its
// capacity is unused, so that an ArrayBuffer over it holds little spare memory.
func trimmed(buf []byte) []byte {
	if cap(buf)-len(buf) > cap(buf)/4 {
		return bytes.Clone(buf)
	}
	return buf
}

// close closes the Go body once. It may run while a read goroutine is blocked in
// Read, which then fails; net/http bodies and io.Pipe allow that.
func (b *goBody) close() {
	b.closeOnce.Do(func() {
		_ = b.body.Close()
	})
}
