// Package webapi installs the Web platform globals that a Cloudflare worker expects
// (Headers, Request, Response, streams, fetch, encoding, console, crypto and more)
// into a goja runtime, and moves HTTP requests and responses between Go and
// JavaScript with streamed bodies.
//
// Threading: a runtime is driven by one goroutine, the event loop. Install,
// NewRequest, NewResponse, ExportRequest and ExportResponse must run on that
// goroutine. Bodies cross the boundary as streams. A Go body is read on helper
// goroutines, whose chunks are posted to the loop with Host.RunOnLoop. When
// arrayBuffer(), bytes(), text() or json() reads a Go body that nothing has
// read yet, a helper goroutine reads it whole, up to 16 MiB per post. An
// exported JavaScript body is an io.ReadCloser for other goroutines, and each of
// its Reads posts one read of the JavaScript stream to the loop and waits for it.
//
// Most classes are written in JavaScript (the js directory, embedded) on top of a
// few Go natives. The natives and internal helpers are passed to that code as
// function arguments and never become globals, so worker code cannot reach them.
package webapi
