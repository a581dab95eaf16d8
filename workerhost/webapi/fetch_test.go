package webapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func textResponse(req *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status,
		Status:     http.StatusText(status),
		Header:     http.Header{"Content-Type": {"text/plain"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    req,
	}
}

func TestFetch(t *testing.T) {
	h := newTestHost(t)
	h.setFetch(func(ctx context.Context, req *http.Request) (*http.Response, error) {
		switch req.URL.Path {
		case "/echo":
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			resp := textResponse(req, 200, req.Method+" "+req.Header.Get("X-Test")+" "+string(body))
			resp.Header.Set("X-Redirect-Mode", FetchRedirect(ctx))
			return resp, nil
		case "/fail":
			return nil, errors.New("dial tcp 10.0.0.1:443: connection refused")
		case "/hang":
			<-ctx.Done()
			return nil, ctx.Err()
		default:
			return textResponse(req, 404, "missing"), nil
		}
	})
	tests := []scriptCase{
		{
			name:   "GET",
			script: `const r = await fetch("https://api.example/other"); return [r.status, r.statusText, r.url, await r.text()].join()`,
			want:   "404,Not Found,https://api.example/other,missing",
		},
		{
			name:   "POST with string body and headers",
			script: `const r = await fetch("https://api.example/echo", {method: "POST", body: "hi", headers: {"X-Test": "t"}}); return await r.text()`,
			want:   "POST t hi",
		},
		{
			name:   "request body streamed from JavaScript",
			script: `const body = new ReadableStream({start(c) { c.enqueue(new TextEncoder().encode("str")); setTimeout(() => { c.enqueue(new TextEncoder().encode("eam")); c.close(); }, 5); }}); return await (await fetch("https://api.example/echo", {method: "PUT", body})).text()`,
			want:   "PUT  stream",
		},
		{
			name:   "Request object input",
			script: `const req = new Request("https://api.example/echo", {method: "POST", body: "r"}); return await (await fetch(req)).text()`,
			want:   "POST  r",
		},
		{
			name:   "redirect mode reaches the host",
			script: `const r = await fetch("https://api.example/echo", {redirect: "manual"}); return r.headers.get("x-redirect-mode")`,
			want:   "manual",
		},
		{
			name:   "response headers immutable",
			script: `const r = await fetch("https://api.example/echo"); try { r.headers.set("a", "b"); } catch (e) { return e.message; }`,
			want:   "Can't modify immutable headers.",
		},
		{
			name:    "host error rejects with TypeError",
			script:  `await fetch("https://api.example/fail")`,
			wantErr: "TypeError: dial tcp 10.0.0.1:443: connection refused",
		},
		{
			name:   "host error is catchable",
			script: `try { await fetch("https://api.example/fail"); } catch (e) { return e instanceof TypeError; }`,
			want:   "true",
		},
		{
			name:    "unsupported scheme",
			script:  `await fetch("ftp://api.example/")`,
			wantErr: "TypeError: Fetch API cannot load: ftp://api.example/",
		},
		{
			name:    "invalid URL",
			script:  `await fetch("not a url")`,
			wantErr: "TypeError: Invalid URL: not a url",
		},
		{
			name:    "GET with body",
			script:  `await fetch("https://api.example/", {body: "x"})`,
			wantErr: "TypeError: Request with a GET or HEAD method cannot have a body.",
		},
		{
			name:    "used body",
			script:  `const req = new Request("https://api.example/echo", {method: "POST", body: "r"}); await req.text(); await fetch(req)`,
			wantErr: "Body has already been used",
		},
		{
			name:    "abort while waiting",
			script:  `const c = new AbortController(); const p = fetch("https://api.example/hang", {signal: c.signal}); setTimeout(() => c.abort(), 5); await p`,
			wantErr: "AbortError: This operation was aborted",
		},
		{
			name:    "already aborted",
			script:  `await fetch("https://api.example/echo", {signal: AbortSignal.abort(new RangeError("early"))})`,
			wantErr: "RangeError: early",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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

func TestFetchStreamsResponseBody(t *testing.T) {
	h := newTestHost(t)
	pr, pw := io.Pipe()
	h.setFetch(func(ctx context.Context, req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: pr, Request: req}, nil
	})
	received := make(chan string, 4)
	h.onLoop(t, func(rt *goja.Runtime) {
		_ = rt.Set("received", func(s string) { received <- s })
		_, err := rt.RunString(`(async () => {
			const r = await fetch("https://stream.example/");
			const reader = r.body.getReader();
			for (;;) {
				const {value, done} = await reader.read();
				if (done) { received("EOF"); return; }
				received(new TextDecoder().decode(value));
			}
		})()`)
		if err != nil {
			t.Errorf("script: %v", err)
		}
	})
	if _, err := pw.Write([]byte("part")); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, received, "the first part"); got != "part" {
		t.Fatalf("got %q, want %q", got, "part")
	}
	pw.Close()
	if got := waitFor(t, received, "the end"); got != "EOF" {
		t.Fatalf("got %q, want EOF", got)
	}
}

func TestFetchCancelClosesResponseBody(t *testing.T) {
	h := newTestHost(t)
	pr, pw := io.Pipe()
	ctxDone := make(chan struct{})
	h.setFetch(func(ctx context.Context, req *http.Request) (*http.Response, error) {
		go func() {
			<-ctx.Done()
			close(ctxDone)
		}()
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: pr, Request: req}, nil
	})
	h.mustAwait(t, `const r = await fetch("https://stream.example/"); await r.body.cancel()`)
	if _, err := pw.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("write after cancel: %v, want %v", err, io.ErrClosedPipe)
	}
	waitFor(t, ctxDone, "the fetch context to be cancelled")
}
