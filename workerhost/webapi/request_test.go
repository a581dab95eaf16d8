package webapi

import "testing"

func TestRequest(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "defaults",
			script: `const r = new Request("https://example.com"); return [r.method, r.url, r.body, r.bodyUsed, r.redirect].join()`,
			want:   "GET,https://example.com/,,false,follow",
		},
		{
			name:   "method normalized",
			script: `return new Request("https://e.com", {method: "post"}).method + new Request("https://e.com", {method: "patch"}).method`,
			want:   "POSTPATCH",
		},
		{
			name:    "unknown method",
			script:  `new Request("https://e.com", {method: "foo"})`,
			wantErr: "TypeError: Invalid HTTP method string: foo",
		},
		{
			name:    "invalid method",
			script:  `new Request("https://e.com", {method: "BAD METHOD"})`,
			wantErr: "TypeError: Invalid HTTP method string: BAD METHOD",
		},
		{
			name:    "invalid URL",
			script:  `new Request("/relative")`,
			wantErr: "TypeError: Invalid URL: /relative",
		},
		{
			name:   "URL object input",
			script: `return new Request(new URL("https://e.com/x?y=1")).url`,
			want:   "https://e.com/x?y=1",
		},
		{
			name:    "GET with body",
			script:  `new Request("https://e.com", {body: "x"})`,
			wantErr: "TypeError: Request with a GET or HEAD method cannot have a body.",
		},
		{
			name:    "HEAD with body",
			script:  `new Request("https://e.com", {method: "HEAD", body: "x"})`,
			wantErr: "TypeError: Request with a GET or HEAD method cannot have a body.",
		},
		{
			name:   "string body sets content type",
			script: `const r = new Request("https://e.com", {method: "POST", body: "hi"}); return r.headers.get("content-type") + " " + await r.text()`,
			want:   "text/plain;charset=UTF-8 hi",
		},
		{
			name:   "explicit content type kept",
			script: `const r = new Request("https://e.com", {method: "POST", body: "{}", headers: {"content-type": "application/json"}}); return r.headers.get("content-type")`,
			want:   "application/json",
		},
		{
			name:   "ArrayBuffer body",
			script: `const r = new Request("https://e.com", {method: "PUT", body: new Uint8Array([104, 105]).buffer}); return await r.text()`,
			want:   "hi",
		},
		{
			name:   "typed array body is copied",
			script: `const b = new Uint8Array([1, 2, 3]); const r = new Request("https://e.com", {method: "PUT", body: b.subarray(1)}); b[1] = 9; return [...new Uint8Array(await r.arrayBuffer())].join()`,
			want:   "2,3",
		},
		{
			name:   "URLSearchParams body",
			script: `const r = new Request("https://e.com", {method: "POST", body: new URLSearchParams({a: "1 2"})}); return r.headers.get("content-type") + " " + await r.text()`,
			want:   "application/x-www-form-urlencoded;charset=UTF-8 a=1+2",
		},
		{
			name:   "ReadableStream body",
			script: `const body = new ReadableStream({start(c) { c.enqueue(new TextEncoder().encode("st")); c.enqueue(new TextEncoder().encode("ream")); c.close(); }}); return await new Request("https://e.com", {method: "POST", body}).text()`,
			want:   "stream",
		},
		{
			name:    "disturbed stream body",
			script:  `const body = new ReadableStream(); body.getReader(); new Request("https://e.com", {method: "POST", body})`,
			wantErr: "TypeError: This ReadableStream is disturbed (has already been read from), and cannot be used as a body.",
		},
		{
			name:   "json",
			script: `const r = new Request("https://e.com", {method: "POST", body: '{"a": [1]}'}); return (await r.json()).a[0]`,
			want:   "1",
		},
		{
			name:    "body used twice",
			script:  `const r = new Request("https://e.com", {method: "POST", body: "x"}); await r.text(); await r.text()`,
			wantErr: "TypeError: Body has already been used. It can only be used once. Use tee() first if you need to read it twice.",
		},
		{
			name:   "clone reads twice",
			script: `const r = new Request("https://e.com", {method: "POST", body: "x"}); const c = r.clone(); return await r.text() + await c.text() + c.method`,
			want:   "xxPOST",
		},
		{
			name:   "clone of streamed body",
			script: `const body = new ReadableStream({start(c) { c.enqueue(new Uint8Array([65])); c.close(); }}); const r = new Request("https://e.com", {method: "POST", body}); const c = r.clone(); return await c.text() + await r.text()`,
			want:   "AA",
		},
		{
			name:   "from Request moves the body",
			script: `const a = new Request("https://e.com", {method: "POST", body: "x"}); const b = new Request(a, {headers: {x: "1"}}); return [a.bodyUsed, await b.text(), b.method, b.headers.get("x")].join()`,
			want:   "true,x,POST,1",
		},
		{
			name:    "from Request with used body",
			script:  `const a = new Request("https://e.com", {method: "POST", body: "x"}); await a.text(); new Request(a)`,
			wantErr: "TypeError: Cannot reconstruct a Request with a used body.",
		},
		{
			name:    "invalid redirect",
			script:  `new Request("https://e.com", {redirect: "error"})`,
			wantErr: `TypeError: Invalid redirect value, must be one of "follow" or "manual"`,
		},
		{
			name:   "no body reads empty",
			script: `const r = new Request("https://e.com"); return (await r.text()) === "" && (await r.arrayBuffer()).byteLength === 0`,
			want:   "true",
		},
		{
			name:   "signal",
			script: `const c = new AbortController(); const r = new Request("https://e.com", {signal: c.signal}); return r.signal === c.signal && !new Request("https://e.com").signal.aborted`,
			want:   "true",
		},
		{
			name:   "length",
			script: `return Request.length`,
			want:   "1",
		},
		{
			name:    "no arguments",
			script:  `new Request()`,
			wantErr: "TypeError: Failed to construct 'Request': 1 argument required, but only 0 present.",
		},
		{
			name:    "undefined input",
			script:  `new Request(undefined)`,
			wantErr: "TypeError: Invalid URL: undefined",
		},
		{
			name:   "init after input",
			script: `const r = new Request("https://e.com", {method: "post", body: "x"}); return [r.method, r.headers.get("content-type"), await r.text()].join()`,
			want:   "POST,text/plain;charset=UTF-8,x",
		},
		{
			name:   "cf property",
			script: `return new Request("https://e.com", {cf: {cacheTtl: 5}}).cf.cacheTtl`,
			want:   "5",
		},
		{
			name:   "inspect",
			script: `console.log(new Request("https://e.com")); return "ok"`,
			want:   "ok",
		},
	}
	runScripts(t, tests)
}
