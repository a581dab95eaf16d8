package webapi

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dop251/goja"
)

// failingBody returns data and then fails with err.
type failingBody struct {
	data []byte
	err  error
}

func (f *failingBody) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func (f *failingBody) Close() error { return nil }

// closeRecorder records whether its body was closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error {
	c.closed.Store(true)
	return nil
}

// setResponse makes a Response from Go with body and length and stores it in
// the global res.
func (h *testHost) setResponse(t *testing.T, body io.ReadCloser, length int64) {
	t.Helper()
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := NewResponse(rt, &http.Response{StatusCode: 200, Header: http.Header{}, Body: body, ContentLength: length})
		if err != nil {
			t.Errorf("NewResponse: %v", err)
			return
		}
		_ = rt.Set("res", v)
	})
}

func TestGoBodyInJavaScript(t *testing.T) {
	tests := []struct {
		name    string
		body    io.ReadCloser
		length  int64 // ContentLength; 0 is unknown
		script  string
		want    string
		wantErr string
	}{
		{
			name:   "arrayBuffer",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `const b = await res.arrayBuffer(); return [b instanceof ArrayBuffer, b.byteLength, new TextDecoder().decode(b), res.bodyUsed].join()`,
			want:   "true,5,hello,true",
		},
		{
			name:   "bytes",
			body:   io.NopCloser(strings.NewReader("hi")),
			script: `const b = await res.bytes(); return [b instanceof Uint8Array, b.length, b[0]].join()`,
			want:   "true,2,104",
		},
		{
			name:   "json",
			body:   io.NopCloser(strings.NewReader(`{"a": [1, 2]}`)),
			script: `return (await res.json()).a.join()`,
			want:   "1,2",
		},
		{
			name:   "text replaces invalid bytes and drops the byte order mark",
			body:   io.NopCloser(strings.NewReader("\xEF\xBB\xBFa\xFFb")),
			script: `const s = await res.text(); return [s.length, s.charCodeAt(1)].join()`,
			want:   "3,65533",
		},
		{
			name:   "text of non-ASCII",
			body:   io.NopCloser(strings.NewReader("grüße, 世界")),
			script: `return await res.text()`,
			want:   "grüße, 世界",
		},
		{
			name:   "empty body",
			body:   io.NopCloser(strings.NewReader("")),
			script: `const b = await res.arrayBuffer(); return [b.byteLength, res.bodyUsed].join()`,
			want:   "0,true",
		},
		{
			name:   "known length",
			body:   io.NopCloser(strings.NewReader("hello")),
			length: 5,
			script: `return await res.text()`,
			want:   "hello",
		},
		{
			name:   "body longer than its known length",
			body:   io.NopCloser(strings.NewReader("hello")),
			length: 2,
			script: `return await res.text()`,
			want:   "hello",
		},
		{
			name:   "body shorter than its known length",
			body:   io.NopCloser(strings.NewReader("hello")),
			length: 100,
			script: `return await res.text()`,
			want:   "hello",
		},
		{
			name:   "body after reading is closed and unlocked",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `await res.text(); const s = res.body; const locked = s.locked; const r = await s.getReader().read(); return [locked, r.done, res.body === s].join()`,
			want:   "false,true,true",
		},
		{
			name:   "body locked while reading",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `const p = res.text(); const locked = res.body.locked; const text = await p; return [locked, res.body.locked, text].join()`,
			want:   "true,false,hello",
		},
		{
			name:   "body taken before reading",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `const s = res.body; const p = res.text(); const locked = s.locked; const text = await p; return [locked, s.locked, text, res.body === s].join()`,
			want:   "true,false,hello,true",
		},
		{
			name:    "second read",
			body:    io.NopCloser(strings.NewReader("hello")),
			script:  `await res.text(); await res.text()`,
			wantErr: "TypeError: Body has already been used.",
		},
		{
			name:    "reader while reading",
			body:    io.NopCloser(strings.NewReader("hello")),
			script:  `res.text(); res.body.getReader()`,
			wantErr: "TypeError: This ReadableStream is currently locked to a reader.",
		},
		{
			name:    "read of a locked body",
			body:    io.NopCloser(strings.NewReader("hello")),
			script:  `res.body.getReader(); await res.text()`,
			wantErr: "TypeError: This ReadableStream is currently locked to a reader.",
		},
		{
			name:   "read error",
			body:   &failingBody{data: []byte("part"), err: errors.New("connection reset")},
			script: `try { await res.text(); } catch (e) { return [e.name, e.message, res.bodyUsed, res.body.locked].join(); }`,
			want:   "TypeError,failed to read body: connection reset,true,true",
		},
		{
			name:   "read error after the body was taken",
			body:   &failingBody{data: []byte("part"), err: errors.New("connection reset")},
			script: `const s = res.body; try { await res.arrayBuffer(); } catch (e) { return [e.message, s.locked].join(); }`,
			want:   "failed to read body: connection reset,true",
		},
		{
			name:   "stream reader",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `const r = res.body.getReader(); let s = ""; for (;;) { const {value, done} = await r.read(); if (done) break; s += new TextDecoder().decode(value); } return [s, res.bodyUsed].join()`,
			want:   "hello,true",
		},
		{
			name:   "clone",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `const c = res.clone(); return [await res.text(), await c.text()].join()`,
			want:   "hello,hello",
		},
		{
			name:   "new Response from the body",
			body:   io.NopCloser(strings.NewReader("hello")),
			script: `const r = new Response(res.body); return [res.bodyUsed, await r.text()].join()`,
			want:   "false,hello",
		},
	}
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.setResponse(t, tt.body, tt.length)
			got, err := h.await(t, tt.script)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("script failed: %v", err)
			}
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

func TestGoBodyReadWhole(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		length int64 // ContentLength; 0 is unknown
	}{
		{name: "several chunks", size: 3*chunkSize + 7},
		{name: "several chunks of known length", size: 3*chunkSize + 7, length: 3*chunkSize + 7},
		{name: "more than one read", size: maxReadAllSize + 1000},
		{name: "more than one read of known length", size: maxReadAllSize + 1000, length: maxReadAllSize + 1000},
	}
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := make([]byte, tt.size)
			if _, err := rand.Read(payload); err != nil {
				t.Fatal(err)
			}
			body := &closeRecorder{Reader: wireBody{io.NopCloser(bytes.NewReader(payload))}}
			h.setResponse(t, body, tt.length)
			received := make(chan []byte, 1)
			h.onLoop(t, func(rt *goja.Runtime) {
				_ = rt.Set("deliver", func(v goja.Value) {
					var data []byte
					if err := rt.ExportTo(v, &data); err != nil {
						t.Errorf("ExportTo: %v", err)
					}
					received <- data
				})
			})
			if _, err := h.await(t, `deliver(await res.bytes())`); err != nil {
				t.Fatalf("script failed: %v", err)
			}
			got := waitFor(t, received, "the body")
			if !bytes.Equal(got, payload) {
				t.Errorf("body differs: got %d bytes, want %d", len(got), len(payload))
			}
			if !body.closed.Load() {
				t.Error("the Go body was not closed at its end")
			}
		})
	}
}

func TestGoBodyPassesThroughUnread(t *testing.T) {
	h := newTestHost(t)
	body := io.NopCloser(strings.NewReader("proxied"))
	req, err := http.NewRequest(http.MethodPost, "http://example.com/", body)
	if err != nil {
		t.Fatal(err)
	}
	var exported *http.Request
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := NewRequest(rt, req)
		if err != nil {
			t.Errorf("NewRequest: %v", err)
			return
		}
		_ = rt.Set("req", v)
		if exported, err = ExportRequest(rt, v); err != nil {
			t.Errorf("ExportRequest: %v", err)
		}
	})
	if exported == nil {
		t.FailNow()
	}
	if exported.Body != body {
		t.Errorf("exported body is %T, want the request's own body", exported.Body)
	}
	got := h.mustAwait(t, `return [req.bodyUsed, req.body.locked].join()`)
	if got != "true,true" {
		t.Errorf("bodyUsed and locked after export: %v, want true,true", got)
	}
}

func TestHeadersFromGo(t *testing.T) {
	tests := []struct {
		name    string
		header  http.Header
		script  string
		want    string
		wantErr string
	}{
		{
			name:   "names in lower case and sorted",
			header: http.Header{"X-B": {"2"}, "X-A": {"1"}},
			script: `return [...res.headers].map((e) => e.join("=")).join()`,
			want:   "x-a=1,x-b=2",
		},
		{
			name:   "values trimmed",
			header: http.Header{"X-Trim": {" \tv w\t "}},
			script: `return "[" + res.headers.get("x-trim") + "]"`,
			want:   "[v w]",
		},
		{
			name:   "names that differ only in case are merged",
			header: http.Header{"x-dup": {"1"}, "X-Dup": {"2"}},
			script: `return res.headers.get("X-DUP").split(", ").sort().join()`,
			want:   "1,2",
		},
		{
			name:   "Set-Cookie values stay separate",
			header: http.Header{"Set-Cookie": {"a=1", "b=2"}},
			script: `return res.headers.getSetCookie().join("|")`,
			want:   "a=1|b=2",
		},
		{
			name:   "copy is mutable",
			header: http.Header{"X-A": {"1"}},
			script: `const c = new Headers(res.headers); c.append("x-a", "2"); return [c.get("x-a"), res.headers.get("x-a")].join("|")`,
			want:   "1, 2|1",
		},
		{
			name:   "immutable",
			header: http.Header{"X-A": {"1"}},
			script: `try { res.headers.delete("x-a"); } catch (e) { return e.message; }`,
			want:   "Can't modify immutable headers.",
		},
		{
			name:   "forEach",
			header: http.Header{"X-A": {"1"}, "X-B": {"2"}},
			script: `const out = []; res.headers.forEach((v, k) => out.push(k + "=" + v)); return out.join()`,
			want:   "x-a=1,x-b=2",
		},
		{
			name:   "non-ASCII value",
			header: http.Header{"X-Name": {"grüße"}},
			script: `return res.headers.get("x-name")`,
			want:   "grüße",
		},
		{
			name:    "invalid name",
			header:  http.Header{"Bad Name": {"v"}},
			wantErr: "Invalid header name.",
		},
		{
			name:    "empty name",
			header:  http.Header{"": {"v"}},
			wantErr: "Invalid header name.",
		},
		{
			name:    "NUL in value",
			header:  http.Header{"X-A": {"a\x00b"}},
			wantErr: "Invalid header value.",
		},
		{
			name:    "line break in value",
			header:  http.Header{"X-A": {"a\r\nb"}},
			wantErr: "Invalid header value.",
		},
	}
	h := newTestHost(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var newErr error
			h.onLoop(t, func(rt *goja.Runtime) {
				var v goja.Value
				v, newErr = NewResponse(rt, &http.Response{StatusCode: 200, Header: tt.header, Body: http.NoBody})
				if newErr == nil {
					_ = rt.Set("res", v)
				}
			})
			if tt.wantErr != "" {
				if newErr == nil || !strings.Contains(newErr.Error(), tt.wantErr) {
					t.Fatalf("NewResponse: %v, want an error containing %q", newErr, tt.wantErr)
				}
				return
			}
			if newErr != nil {
				t.Fatalf("NewResponse: %v", newErr)
			}
			if got := fmt.Sprint(h.mustAwait(t, tt.script)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHeadersFromGoExportedUnchanged(t *testing.T) {
	h := newTestHost(t)
	header := http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}, "X-Trim": {" v "}}
	var resp *http.Response
	h.onLoop(t, func(rt *goja.Runtime) {
		v, err := NewResponse(rt, &http.Response{StatusCode: 200, Header: header, Body: http.NoBody})
		if err != nil {
			t.Errorf("NewResponse: %v", err)
			return
		}
		if resp, err = ExportResponse(rt, v); err != nil {
			t.Errorf("ExportResponse: %v", err)
		}
	})
	if resp == nil {
		t.FailNow()
	}
	want := http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}, "X-Trim": {"v"}}
	if fmt.Sprint(resp.Header) != fmt.Sprint(want) {
		t.Errorf("exported headers %v, want %v", resp.Header, want)
	}
}
