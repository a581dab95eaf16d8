package webapi

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// wireChunkSize is the largest Read that a body returns after it crossed
// between two workers, because the supervisor's gRPC Fetch streams carry
// bodies in messages of at most 64 KiB (httpstream.ChunkSize).
const wireChunkSize = 64 << 10

// wireBody returns at most wireChunkSize bytes per Read, as the body of a
// response from another worker does.
type wireBody struct {
	io.ReadCloser
}

func (w wireBody) Read(p []byte) (int, error) {
	if len(p) > wireChunkSize {
		p = p[:wireChunkSize]
	}
	return w.ReadCloser.Read(p)
}

// fetchBenchScript defines the JavaScript of both workers in
// BenchmarkFetchRoundTrip. childFetch responds as the fetch handler of
// scripts/bench/testdata/child.js does, without parsing the URL.
// parentRequest builds the Request as the entrypoint stub's fetch() does, with
// the benchmark's headers in init, and parentRead reads the response as the
// benchmark's parent worker does.
const fetchBenchScript = `
function childFetch(request) {
  if (request.method !== "GET" || request.url === "") throw new Error("bad request");
  return new Response(benchBody, { headers: { "content-type": "application/octet-stream" } });
}
function parentRequest(url, headers) {
  return new Request(url, { headers });
}
function parentRead(response) {
  response.arrayBuffer().then((b) => benchDone(b.byteLength), (e) => benchDone(-1));
}
`

// BenchmarkFetchRoundTrip measures one fetch from a parent worker to a child
// worker in one runtime, without the processes between them. The parent
// builds a Request and exports it. The child imports it, responds with a
// buffered body and exports the Response. The parent imports that with a
// body that returns wire-sized chunks and reads it with arrayBuffer().
func BenchmarkFetchRoundTrip(b *testing.B) {
	tests := []struct {
		name    string
		size    int
		headers int // request headers that the parent sets
	}{
		{name: "size=16", size: 16},
		{name: "size=1MiB", size: 1 << 20},
		{name: "size=16/headers=12", size: 16, headers: 12},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			h := newTestHost(b)
			done := make(chan int, 1)
			var childFetch, parentRequest, parentRead goja.Callable
			var requestHeaders goja.Value
			var setupErr error
			h.onLoop(b, func(rt *goja.Runtime) {
				body := make([]byte, tt.size)
				for i := range body {
					body[i] = byte('a' + i%26)
				}
				_ = rt.Set("benchBody", rt.NewArrayBuffer(body))
				_ = rt.Set("benchDone", func(n int) { done <- n })
				if _, setupErr = rt.RunString(fetchBenchScript); setupErr != nil {
					return
				}
				childFetch, _ = goja.AssertFunction(rt.Get("childFetch"))
				parentRequest, _ = goja.AssertFunction(rt.Get("parentRequest"))
				parentRead, _ = goja.AssertFunction(rt.Get("parentRead"))
				headers := rt.NewObject()
				for i := range tt.headers {
					_ = headers.Set(fmt.Sprintf("X-Bench-Header-%d", i), strings.Repeat("v", 20+i))
				}
				requestHeaders = headers
			})
			if setupErr != nil {
				b.Fatalf("script: %v", setupErr)
			}
			url := fmt.Sprintf("http://child/?size=%d", tt.size)
			b.SetBytes(int64(tt.size))
			for b.Loop() {
				var err error
				h.onLoop(b, func(rt *goja.Runtime) {
					err = fetchRoundTrip(rt, url, requestHeaders, childFetch, parentRequest, parentRead)
				})
				if err != nil {
					b.Fatal(err)
				}
				if n := <-done; n != tt.size {
					b.Fatalf("parent read %d bytes, want %d", n, tt.size)
				}
			}
		})
	}
}

// fetchRoundTrip runs one round trip on the loop up to the parent's
// arrayBuffer() call, which reports the length it read to benchDone.
func fetchRoundTrip(rt *goja.Runtime, url string, headers goja.Value, childFetch, parentRequest, parentRead goja.Callable) error {
	jsReq, err := parentRequest(goja.Undefined(), rt.ToValue(url), headers)
	if err != nil {
		return fmt.Errorf("parent Request: %w", err)
	}
	req, err := ExportRequest(rt, jsReq)
	if err != nil {
		return err
	}

	childReq, err := NewRequest(rt, req)
	if err != nil {
		return err
	}
	jsResp, err := childFetch(goja.Undefined(), childReq)
	if err != nil {
		return fmt.Errorf("child fetch handler: %w", err)
	}
	resp, err := ExportResponse(rt, jsResp)
	if err != nil {
		return err
	}

	// The wire keeps the status and headers but not the length.
	resp.Body = wireBody{resp.Body}
	resp.ContentLength = -1
	parentResp, err := NewResponse(rt, resp)
	if err != nil {
		return err
	}
	if _, err := parentRead(goja.Undefined(), parentResp); err != nil {
		return fmt.Errorf("parent read: %w", err)
	}
	return nil
}
