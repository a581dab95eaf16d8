// Package link carries calls and streams of protobuf messages between the
// supervisor and one workerhost over a single stream socket.
//
// Either side opens streams, and many run at once. Each frame has a 12-byte
// header: the payload length and the stream ID (both big-endian uint32),
// the frame type, flags, the method of an opening frame and a reserved
// byte. The side that opens a stream picks its ID: odd on the side created
// with Odd set, even on the other, so the two never collide. Every stream
// has a receive window per direction, so one slow reader holds back only
// its own stream.
//
// A link carries every request between a supervisor and a workerhost but
// go-plugin's own, in place of gRPC, whose HTTP/2 framing and goroutine
// hand-offs cost far more per call than the socket round trip itself.
package link
