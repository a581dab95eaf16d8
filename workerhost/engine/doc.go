// Package engine runs one worker's JavaScript on goja: it links the module
// graph, evaluates it on an event loop, builds env, and invokes entrypoints
// for fetch, RPC calls and tests. One goroutine, the event loop's, owns the
// goja runtime; every exported method posts work to it and waits.
package engine
