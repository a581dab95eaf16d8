package webapi

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// waitFor receives from ch or fails the test after testTimeout.
func waitFor[T any](t *testing.T, ch <-chan T, description string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for %s", description)
		var zero T
		return zero
	}
}

// readAsync runs one Read on another goroutine, as the engine's HTTP server
// would, and returns a channel with its outcome.
func readAsync(r io.Reader, size int) <-chan readOutcome {
	ch := make(chan readOutcome, 1)
	go func() {
		buf := make([]byte, size)
		n, err := r.Read(buf)
		ch <- readOutcome{data: buf[:n], err: err}
	}()
	return ch
}

type readOutcome struct {
	data []byte
	err  error
}

func TestRequestBodyStreamsIntoJS(t *testing.T) {
	h := newTestHost(t)
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, "http://example.com/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	received := make(chan string, 8)
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := NewRequest(rt, req)
		if err != nil {
			t.Errorf("NewRequest: %v", err)
			return
		}
		_ = rt.Set("req", v)
		_ = rt.Set("received", func(s string) { received <- s })
		_, err = rt.RunString(`
			(async () => {
				const reader = req.body.getReader();
				for (;;) {
					const {value, done} = await reader.read();
					if (done) { received("EOF"); return; }
					received(new TextDecoder().decode(value));
				}
			})();`)
		if err != nil {
			t.Errorf("script: %v", err)
		}
	})

	for _, chunk := range []string{"first chunk", "second chunk"} {
		if _, err := pw.Write([]byte(chunk)); err != nil {
			t.Fatalf("write %q: %v", chunk, err)
		}
		// The writer is still open, so JavaScript must see the chunk now.
		if got := waitFor(t, received, chunk); got != chunk {
			t.Fatalf("JavaScript read %q, want %q", got, chunk)
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, received, "end of body"); got != "EOF" {
		t.Fatalf("JavaScript read %q, want EOF", got)
	}
	if _, err := pw.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("write after the end: %v, want %v because the body was closed", err, io.ErrClosedPipe)
	}
}

func TestResponseBodyStreamsOutOfJS(t *testing.T) {
	h := newTestHost(t)
	var firstReceived, secondProduced atomic.Bool
	var resp *http.Response
	h.onLoop(t, func(rt *goja.Runtime) {
		_ = rt.Set("firstReceived", firstReceived.Load)
		_ = rt.Set("markSecondProduced", func() { secondProduced.Store(true) })
		v, err := rt.RunString(`
			const enc = new TextEncoder();
			new Response(new ReadableStream({
				start(c) {
					c.enqueue(enc.encode("first"));
					const later = () => {
						if (!firstReceived()) { setTimeout(later, 5); return; }
						markSecondProduced();
						c.enqueue(enc.encode("second"));
						c.close();
					};
					setTimeout(later, 5);
				},
			}));`)
		if err != nil {
			t.Errorf("script: %v", err)
			return
		}
		if resp, err = ExportResponse(rt, v); err != nil {
			t.Errorf("ExportResponse: %v", err)
		}
	})
	if resp == nil {
		t.FailNow()
	}
	defer resp.Body.Close()

	first := waitFor(t, readAsync(resp.Body, 64), "the first chunk")
	if first.err != nil || string(first.data) != "first" {
		t.Fatalf("first Read: %q, %v; want %q", first.data, first.err, "first")
	}
	if secondProduced.Load() {
		t.Fatal("the second chunk was produced before the first Read returned")
	}
	firstReceived.Store(true)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second" {
		t.Fatalf("rest: %q, %v; want %q", rest, err, "second")
	}
	if resp.ContentLength != -1 {
		t.Errorf("ContentLength %d, want -1 for a stream", resp.ContentLength)
	}
}

func TestExportedBodyCloseCancelsStream(t *testing.T) {
	h := newTestHost(t)
	cancelled := make(chan string, 1)
	var resp *http.Response
	h.onLoop(t, func(rt *goja.Runtime) {
		_ = rt.Set("cancelled", func(reason string) { cancelled <- reason })
		v, err := rt.RunString(`
			new Response(new ReadableStream({
				pull() { return new Promise(() => {}); },
				cancel(reason) { cancelled(String(reason)); },
			}));`)
		if err != nil {
			t.Errorf("script: %v", err)
			return
		}
		if resp, err = ExportResponse(rt, v); err != nil {
			t.Errorf("ExportResponse: %v", err)
		}
	})
	if resp == nil {
		t.FailNow()
	}

	pending := readAsync(resp.Body, 16)
	if err := resp.Body.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := waitFor(t, pending, "the blocked Read"); !errors.Is(got.err, ErrBodyClosed) {
		t.Errorf("blocked Read returned %v, want %v", got.err, ErrBodyClosed)
	}
	reason := waitFor(t, cancelled, "the cancel callback")
	if !strings.Contains(reason, "TypeError") {
		t.Errorf("cancel reason %q, want a TypeError", reason)
	}

	if _, err := resp.Body.Read(make([]byte, 1)); !errors.Is(err, ErrBodyClosed) {
		t.Errorf("Read after Close: %v, want %v", err, ErrBodyClosed)
	}
	if err := resp.Body.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestLargeBodyRoundTrip(t *testing.T) {
	const size = 8 << 20
	payload := make([]byte, size)
	if _, err := rand.Read(payload); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		script string // makes a Response from the Request in req
	}{
		{name: "stream passed through", script: `new Response(req.body)`},
		{name: "through a TransformStream", script: `new Response(req.body.pipeThrough(new TransformStream()))`},
		{name: "buffered in JavaScript", script: `req.arrayBuffer().then((b) => new Response(new Uint8Array(b)))`},
	}
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPut, "http://example.com/big", io.NopCloser(bytes.NewReader(payload)))
			if err != nil {
				t.Fatal(err)
			}
			responses := make(chan *http.Response, 1)
			h.onLoop(t, func(rt *goja.Runtime) {
				v, err := NewRequest(rt, req)
				if err != nil {
					t.Errorf("NewRequest: %v", err)
					return
				}
				_ = rt.Set("req", v)
				_ = rt.Set("deliver", func(v goja.Value) {
					resp, err := ExportResponse(rt, v)
					if err != nil {
						t.Errorf("ExportResponse: %v", err)
						return
					}
					responses <- resp
				})
				if _, err := rt.RunString(`Promise.resolve(` + tt.script + `).then(deliver)`); err != nil {
					t.Errorf("script: %v", err)
				}
			})
			resp := waitFor(t, responses, "the response")
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("body differs: got %d bytes, want %d", len(got), len(payload))
			}
		})
	}
}

func TestNewRequest(t *testing.T) {
	h := newTestHost(t)
	req, err := http.NewRequest(http.MethodPost, "/path?q=1", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "worker.example"
	req.Header.Set("X-Custom", "a")
	req.Header.Add("Set-Cookie", "x=1")
	req.Header.Add("Set-Cookie", "y=2")
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := NewRequest(rt, req)
		if err != nil {
			t.Errorf("NewRequest: %v", err)
			return
		}
		_ = rt.Set("req", v)
	})
	tests := []struct {
		name   string
		script string
		want   string
	}{
		{name: "method", script: `return req.method`, want: "POST"},
		{name: "absolute URL from host", script: `return req.url`, want: "http://worker.example/path?q=1"},
		{name: "host header", script: `return req.headers.get("host")`, want: "worker.example"},
		{name: "header lookup", script: `return req.headers.get("x-custom")`, want: "a"},
		{name: "repeated values", script: `return req.headers.getSetCookie().join()`, want: "x=1,y=2"},
		{name: "headers immutable", script: `try { req.headers.set("a", "b"); } catch (e) { return e.message; }`, want: "Can't modify immutable headers."},
		{name: "copy is mutable", script: `const c = new Headers(req.headers); c.set("a", "b"); return c.get("a")`, want: "b"},
		{name: "is a Request", script: `return req instanceof Request`, want: "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(h.mustAwait(t, tt.script)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := h.mustAwait(t, `return await new Request(req).text()`); got != "body" {
		t.Errorf("body %v, want %q", got, "body")
	}
}

func TestNewResponse(t *testing.T) {
	tests := []struct {
		name   string
		resp   *http.Response
		script string
		want   string
	}{
		{
			name:   "status text from Status",
			resp:   &http.Response{StatusCode: 404, Status: "404 Nope", Header: http.Header{}, Body: io.NopCloser(strings.NewReader("x"))},
			script: `return [res.status, res.statusText, res.ok, await res.text()].join()`,
			want:   "404,Nope,false,x",
		},
		{
			name:   "default status text",
			resp:   &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: http.NoBody},
			script: `return [res.statusText, res.headers.get("content-type"), res.body].join()`,
			want:   "OK,text/plain,",
		},
		{
			name:   "workerd wording of default status text",
			resp:   &http.Response{StatusCode: 413, Header: http.Header{}, Body: http.NoBody},
			script: `return res.statusText`,
			want:   "Payload Too Large",
		},
		{
			name:   "null body status",
			resp:   &http.Response{StatusCode: 304, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("ignored"))},
			script: `return res.body === null`,
			want:   "true",
		},
		{
			name:   "status outside the constructor range",
			resp:   &http.Response{StatusCode: 101, Header: http.Header{}, Body: http.NoBody},
			script: `return res.status`,
			want:   "101",
		},
	}
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.onLoop(t, func(rt *goja.Runtime) {
				v, err := NewResponse(rt, tt.resp)
				if err != nil {
					t.Errorf("NewResponse: %v", err)
					return
				}
				_ = rt.Set("res", v)
			})
			if got := fmt.Sprint(h.mustAwait(t, tt.script)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExportRequest(t *testing.T) {
	h := newTestHost(t)
	var req *http.Request
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := rt.RunString(`new Request("https://api.example/v1?x=1", {method: "PUT", body: "payload", headers: {"X-Key": "k", "Host": "ignored"}})`)
		if err != nil {
			t.Errorf("script: %v", err)
			return
		}
		_ = rt.Set("exported", v)
		if req, err = ExportRequest(rt, v); err != nil {
			t.Errorf("ExportRequest: %v", err)
		}
	})
	if req == nil {
		t.FailNow()
	}
	if req.Method != http.MethodPut || req.URL.String() != "https://api.example/v1?x=1" {
		t.Errorf("request line %s %s", req.Method, req.URL)
	}
	if req.Header.Get("X-Key") != "k" || req.Header.Get("Content-Type") != "text/plain;charset=UTF-8" {
		t.Errorf("headers %v", req.Header)
	}
	if req.Header.Get("Host") != "" || req.Host != "api.example" {
		t.Errorf("host header %q and Host %q, want none and the URL's host", req.Header.Get("Host"), req.Host)
	}
	if req.ContentLength != int64(len("payload")) {
		t.Errorf("ContentLength %d, want %d", req.ContentLength, len("payload"))
	}
	body, err := io.ReadAll(req.Body)
	if err != nil || string(body) != "payload" {
		t.Errorf("body %q, %v", body, err)
	}
	if got := h.mustAwait(t, `return exported.bodyUsed`); got != true {
		t.Errorf("bodyUsed after export = %v, want true", got)
	}
}

func TestExportErrors(t *testing.T) {
	h := newTestHost(t)
	h.onLoop(t, func(rt *goja.Runtime) {
		if _, err := ExportRequest(rt, rt.ToValue("x")); !errors.Is(err, ErrNotRequest) {
			t.Errorf("ExportRequest of a string: %v, want %v", err, ErrNotRequest)
		}
		if _, err := ExportResponse(rt, rt.NewObject()); !errors.Is(err, ErrNotResponse) {
			t.Errorf("ExportResponse of an object: %v, want %v", err, ErrNotResponse)
		}
		v, _ := rt.RunString(`Response.error()`)
		if _, err := ExportResponse(rt, v); err == nil {
			t.Error("ExportResponse of Response.error() succeeded")
		}
		used, _ := rt.RunString(`const used = new Response("x"); used.text(); used`)
		if _, err := ExportResponse(rt, used); err == nil || !strings.Contains(err.Error(), "Body has already been used") {
			t.Errorf("ExportResponse of a used body: %v", err)
		}
		if err := Install(rt, h); err == nil {
			t.Error("second Install succeeded")
		}
	})
	if _, err := NewRequest(goja.New(), &http.Request{}); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("NewRequest on a bare runtime: %v, want %v", err, ErrNotInstalled)
	}
}

func TestExportedBodyAfterLoopStops(t *testing.T) {
	h := newTestHost(t)
	var resp *http.Response
	h.onLoop(t, func(rt *goja.Runtime) {
		v, _ := rt.RunString(`new Response(new ReadableStream({pull(c) { c.enqueue(new Uint8Array(1)); }}))`)
		var err error
		if resp, err = ExportResponse(rt, v); err != nil {
			t.Errorf("ExportResponse: %v", err)
		}
	})
	if resp == nil {
		t.FailNow()
	}
	h.loop.Terminate()
	if _, err := resp.Body.Read(make([]byte, 4)); !errors.Is(err, ErrLoopStopped) {
		t.Errorf("Read after Terminate: %v, want %v", err, ErrLoopStopped)
	}
	if err := resp.Body.Close(); err != nil {
		t.Errorf("Close after Terminate: %v", err)
	}
}

func TestUntouchedGoBodyPassesThrough(t *testing.T) {
	h := newTestHost(t)
	body := io.NopCloser(strings.NewReader("proxied"))
	req, err := http.NewRequest(http.MethodPost, "http://example.com/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len("proxied"))
	var resp *http.Response
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := NewRequest(rt, req)
		if err != nil {
			t.Errorf("NewRequest: %v", err)
			return
		}
		_ = rt.Set("req", v)
		out, err := rt.RunString(`new Response(req.body)`)
		if err != nil {
			t.Errorf("script: %v", err)
			return
		}
		if resp, err = ExportResponse(rt, out); err != nil {
			t.Errorf("ExportResponse: %v", err)
		}
	})
	if resp == nil {
		t.FailNow()
	}
	if resp.Body != body {
		t.Errorf("exported body is %T, want the request's own body", resp.Body)
	}
	if resp.ContentLength != int64(len("proxied")) {
		t.Errorf("ContentLength %d, want %d", resp.ContentLength, len("proxied"))
	}
	if got := h.mustAwait(t, `return req.bodyUsed`); got != true {
		t.Errorf("req.bodyUsed = %v, want true", got)
	}
}

func TestExportedBodyRejectsNonBytes(t *testing.T) {
	h := newTestHost(t)
	var resp *http.Response
	h.onLoop(t, func(rt *goja.Runtime) {
		v, _ := rt.RunString(`new Response(new ReadableStream({start(c) { c.enqueue("text"); }}))`)
		var err error
		if resp, err = ExportResponse(rt, v); err != nil {
			t.Errorf("ExportResponse: %v", err)
		}
	})
	if resp == nil {
		t.FailNow()
	}
	defer resp.Body.Close()
	_, err := io.ReadAll(resp.Body)
	if err == nil || !strings.Contains(err.Error(), "This ReadableStream did not return bytes.") {
		t.Errorf("ReadAll: %v, want the not-bytes TypeError", err)
	}
}

// TestDroppedResponseClosesBody drops a Response with a Go body unread:
// once collected, its body must be closed, as a stream held open for
// nothing would block its link.
func TestDroppedResponseClosesBody(t *testing.T) {
	h := newTestHost(t)
	body := &closeRecorder{Reader: strings.NewReader("never read")}
	h.onLoop(t, func(rt *goja.Runtime) {
		if _, err := NewResponse(rt, &http.Response{StatusCode: 200, Header: http.Header{}, Body: body}); err != nil {
			t.Errorf("NewResponse: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if body.closed.Load() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the body of a collected Response is still open")
		}
	}
}
