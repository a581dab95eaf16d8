// Package supervisor runs the loader in-process: it starts one workerhost
// child per loaded worker, routes every call between workers and from host
// apps, and serves the host gRPC API. Each child reaches the outside only
// through the link the supervisor serves for it (see hostServer).
package supervisor
