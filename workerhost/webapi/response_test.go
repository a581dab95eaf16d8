package webapi

import "testing"

func TestResponse(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "defaults",
			script: `const r = new Response(); return [r.status, r.statusText, r.ok, r.body, r.type, r.url, r.redirected].join()`,
			want:   "200,,true,,default,,false",
		},
		{
			name:   "status and text",
			script: `const r = new Response("x", {status: 404}); return [r.status, r.statusText, r.ok].join()`,
			want:   "404,,false",
		},
		{
			name:   "custom status text",
			script: `return new Response(null, {status: 418, statusText: "Short"}).statusText`,
			want:   "Short",
		},
		{
			name:    "status below range",
			script:  `new Response("", {status: 199})`,
			wantErr: "RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive.",
		},
		{
			name:    "status above range",
			script:  `new Response("", {status: 600})`,
			wantErr: "RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive.",
		},
		{
			name:    "null body status with body",
			script:  `new Response("x", {status: 204})`,
			wantErr: "TypeError: Response with null body status (101, 204, 205, or 304) cannot have a body.",
		},
		{
			name:    "null body status with stream",
			script:  `new Response(new ReadableStream(), {status: 304})`,
			wantErr: "TypeError: Response with null body status (101, 204, 205, or 304) cannot have a body.",
		},
		{
			name:   "null body status with empty body",
			script: `return new Response("", {status: 204}).body === null`,
			want:   "true",
		},
		{
			name:    "status text with control character",
			script:  `new Response("", {statusText: "a\nb"})`,
			wantErr: "TypeError: Invalid statusText",
		},
		{
			name:   "text arrayBuffer bytes",
			script: `const a = await new Response("ab").arrayBuffer(); const b = await new Response("cd").bytes(); return a.byteLength + "," + (b instanceof Uint8Array) + "," + b[0]`,
			want:   "2,true,99",
		},
		{
			name:   "json body",
			script: `return (await new Response('{"x": true}').json()).x`,
			want:   "true",
		},
		{
			name:    "invalid json",
			script:  `await new Response("{").json()`,
			wantErr: "SyntaxError",
		},
		{
			name:   "bodyUsed after read",
			script: `const r = new Response("a"); await r.text(); return r.bodyUsed`,
			want:   "true",
		},
		{
			name:   "body stream of string",
			script: `const reader = new Response("abc").body.getReader(); const {value} = await reader.read(); return value.constructor.name + value.length`,
			want:   "Uint8Array3",
		},
		{
			name:   "clone",
			script: `const r = new Response("abc", {status: 201, headers: {a: "1"}}); const c = r.clone(); return [await r.text(), await c.text(), c.status, c.headers.get("a")].join()`,
			want:   "abc,abc,201,1",
		},
		{
			name:    "clone after use",
			script:  `const r = new Response("abc"); await r.text(); r.clone()`,
			wantErr: "TypeError: Body has already been used.",
		},
		{
			name:   "Response.json",
			script: `const r = Response.json({a: 1}, {status: 202}); return [r.status, r.headers.get("content-type"), await r.text()].join()`,
			want:   `202,application/json,{"a":1}`,
		},
		{
			name:   "Response.json keeps content type",
			script: `return Response.json(1, {headers: {"Content-Type": "application/x"}}).headers.get("content-type")`,
			want:   "application/x",
		},
		{
			name:   "Response.redirect",
			script: `const r = Response.redirect("https://e.com/x", 301); return [r.status, r.headers.get("location")].join()`,
			want:   "301,https://e.com/x",
		},
		{
			name:   "Response.redirect default status",
			script: `return Response.redirect("https://e.com/").status`,
			want:   "302",
		},
		{
			name:    "Response.redirect bad status",
			script:  `Response.redirect("https://e.com/", 200)`,
			wantErr: "RangeError: 200 is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.",
		},
		{
			name:    "Response.redirect headers are immutable",
			script:  `Response.redirect("https://e.com/").headers.set("a", "b")`,
			wantErr: "TypeError: Can't modify immutable headers.",
		},
		{
			name:   "Response.error",
			script: `const r = Response.error(); return [r.status, r.type, r.ok].join()`,
			want:   "0,error,false",
		},
		{
			name:   "init from Response",
			script: `const a = new Response("", {status: 503, headers: {x: "1"}}); const b = new Response("b", a); return [b.status, b.headers.get("x")].join()`,
			want:   "503,1",
		},
		{
			name:    "stream of strings is not a body",
			script:  `await new Response(new ReadableStream({start(c) { c.enqueue("text"); c.close(); }})).text()`,
			wantErr: "TypeError: This ReadableStream did not return bytes.",
		},
		{
			name:   "view body is copied",
			script: `const a = new Int16Array([1, 2]); const r = new Response(a); a[0] = 9; return [...new Uint8Array(await r.arrayBuffer())].join()`,
			want:   "1,0,2,0",
		},
		{
			name:   "Responses without init are independent",
			script: `const a = new Response("x"); const b = new Response(null); a.headers.set("x-a", "1"); return [a.headers.get("content-type"), b.headers.get("x-a"), b.status].join()`,
			want:   "text/plain;charset=UTF-8,,200",
		},
		{
			name:   "inspect",
			script: `console.log(new Response("x")); return "ok"`,
			want:   "ok",
		},
	}
	runScripts(t, tests)
}
