package httpstream

import (
	"context"
	"net/http"
	"sync"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// ClientStream is the client side of a Fetch-shaped stream: a gRPC Fetch
// stream or a link stream through LinkClient.
type ClientStream interface {
	RequestSender
	ResponseReceiver
	// CloseSend ends the request, if its last message has not ended it.
	CloseSend() error
}

// Opener opens a Fetch-shaped stream.
type Opener func(context.Context) (ClientStream, error)

// RoundTrip opens a stream with open, sends target and req on it, and
// returns the response, whose body keeps the stream open until it is read
// to the end or closed. Once the stream has ended, with a response or an
// error, RoundTrip cancels it and runs onDone, if not nil, with the
// stream, for example to read its trailer. When open fails, onDone does
// not run. Errors are returned as the stream gave them.
func RoundTrip(ctx context.Context, open Opener, target *pb.Target, req *http.Request, onDone func(ClientStream)) (*http.Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	s, err := open(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	var once sync.Once
	finish := func() {
		once.Do(func() {
			cancel()
			if onDone != nil {
				onDone(s)
			}
		})
	}

	send := func() {
		if err := SendRequest(s, target, req); err != nil {
			cancel()
			return
		}
		_ = s.CloseSend()
	}
	if req.Body == nil || req.Body == http.NoBody || (req.ContentLength > 0 && req.ContentLength <= ChunkSize) {
		// The whole request fits in one message, so it goes out at once,
		// without a goroutine.
		send()
	} else {
		go send()
	}
	resp, err := ReceiveResponse(s, finish)
	if err != nil {
		finish()
		return nil, err
	}
	return resp, nil
}
