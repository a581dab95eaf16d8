// Package httpstream carries HTTP requests and responses over the gRPC Fetch
// streams of dynworker: a head message first, then body chunks, then an end
// marker. Bodies stream in both directions and are never read whole.
package httpstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// ChunkSize is the largest body chunk sent in one message. It leaves room
// for the message's framing under 32 KiB, because gRPC takes buffers by
// size class and clears each one it uses: a message just over 64 KiB would
// take, and clear, a 1 MiB buffer.
const ChunkSize = 32<<10 - 16

// RequestSender sends FetchRequest messages: a client stream or a server
// stream seen from the side that sends requests.
type RequestSender interface {
	Send(*pb.FetchRequest) error
}

// RequestReceiver receives FetchRequest messages.
type RequestReceiver interface {
	Recv() (*pb.FetchRequest, error)
}

// ResponseSender sends FetchResponse messages.
type ResponseSender interface {
	Send(*pb.FetchResponse) error
}

// ResponseReceiver receives FetchResponse messages.
type ResponseReceiver interface {
	Recv() (*pb.FetchResponse, error)
}

// SendRequest sends the head of req with target, then its body. It returns
// when the body is sent or reading it fails; it closes req.Body.
func SendRequest(s RequestSender, target *pb.Target, req *http.Request) error {
	head := &pb.FetchRequest{Target: target, Request: RequestHead(req)}
	if !head.Request.HasBody {
		head.End = true
		return s.Send(head)
	}
	defer req.Body.Close()
	if body, ok, err := smallBody(req.Body, req.ContentLength); ok || err != nil {
		if err != nil {
			return err
		}
		head.Body, head.End = body, true
		return s.Send(head)
	}
	if err := s.Send(head); err != nil {
		return err
	}
	return sendBody(req.Body, func(chunk []byte, end bool) error {
		return s.Send(&pb.FetchRequest{Body: chunk, End: end})
	})
}

// RequestHead returns the head message of req.
func RequestHead(req *http.Request) *pb.HttpRequest {
	u := req.URL.String()
	if req.URL.Host == "" && req.Host != "" {
		u = "http://" + req.Host + req.URL.RequestURI()
	}
	return &pb.HttpRequest{
		Method:  req.Method,
		Url:     u,
		Headers: headerList(req.Header),
		HasBody: req.Body != nil && req.Body != http.NoBody,
	}
}

// ReceiveRequest reads the head message and returns the target and a request
// whose body reads the following messages. The caller must read or close the
// body before using r for anything else.
func ReceiveRequest(r RequestReceiver) (*pb.Target, *http.Request, error) {
	first, err := r.Recv()
	if err != nil {
		return nil, nil, err
	}
	head := first.GetRequest()
	if head == nil {
		return nil, nil, errors.New("receive request: first message has no request head")
	}
	req, err := http.NewRequest(head.Method, head.Url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("receive request: %w", err)
	}
	req.Header = headerMap(head.Headers)
	if head.HasBody {
		if first.End {
			req.ContentLength = int64(len(first.Body))
		}
		req.Body = newBodyReader(first.Body, first.End, func() ([]byte, bool, error) {
			m, err := r.Recv()
			return m.GetBody(), m.GetEnd(), err
		})
	}
	return first.GetTarget(), req, nil
}

// SendResponse sends the head of resp, then its body, and closes resp.Body.
func SendResponse(s ResponseSender, resp *http.Response) error {
	head := &pb.FetchResponse{Response: ResponseHead(resp)}
	if !head.Response.HasBody {
		head.End = true
		if resp.Body != nil {
			resp.Body.Close()
		}
		return s.Send(head)
	}
	defer resp.Body.Close()
	if body, ok, err := smallBody(resp.Body, resp.ContentLength); ok || err != nil {
		if err != nil {
			return err
		}
		head.Body, head.End = body, true
		return s.Send(head)
	}
	if err := s.Send(head); err != nil {
		return err
	}
	return sendBody(resp.Body, func(chunk []byte, end bool) error {
		return s.Send(&pb.FetchResponse{Body: chunk, End: end})
	})
}

// ResponseHead returns the head message of resp.
func ResponseHead(resp *http.Response) *pb.HttpResponse {
	text := resp.Status
	if code, rest, ok := strings.Cut(resp.Status, " "); ok && code == fmt.Sprint(resp.StatusCode) {
		text = rest
	}
	return &pb.HttpResponse{
		Status:     int32(resp.StatusCode),
		StatusText: text,
		Headers:    headerList(resp.Header),
		HasBody:    resp.Body != nil && resp.Body != http.NoBody,
	}
}

// ReceiveResponse reads the head message and returns a response whose body
// reads the following messages. onDone, if not nil, runs once when the body
// is read to the end, fails, or is closed.
func ReceiveResponse(r ResponseReceiver, onDone func()) (*http.Response, error) {
	first, err := r.Recv()
	if err != nil {
		return nil, err
	}
	head := first.GetResponse()
	if head == nil {
		return nil, errors.New("receive response: first message has no response head")
	}
	resp := &http.Response{
		StatusCode: int(head.Status),
		Status:     fmt.Sprintf("%d %s", head.Status, head.StatusText),
		Header:     headerMap(head.Headers),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Body:       http.NoBody,
	}
	if !head.HasBody {
		if onDone != nil {
			onDone()
		}
		return resp, nil
	}
	body := newBodyReader(first.Body, first.End, func() ([]byte, bool, error) {
		m, err := r.Recv()
		return m.GetBody(), m.GetEnd(), err
	})
	body.onDone = onDone
	resp.Body = body
	resp.ContentLength = -1
	if first.End {
		resp.ContentLength = int64(len(first.Body))
	}
	return resp, nil
}

// smallBody reads a body whose length is known and at most ChunkSize, so
// it travels whole in the head message: one message where there would be
// three. ok is false for other bodies, which are left unread. A length of
// 0 counts as unknown, as net/http treats it for a request with a body.
func smallBody(r io.Reader, length int64) (body []byte, ok bool, err error) {
	if length <= 0 || length > ChunkSize {
		return nil, false, nil
	}
	body = make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, false, fmt.Errorf("read body: %w", err)
	}
	return body, true, nil
}

func sendBody(r io.Reader, send func(chunk []byte, end bool) error) error {
	buf := make([]byte, ChunkSize)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			// The chunk is copied because gRPC may hold the message after Send
			// returns only until it is serialized, but buf is reused at once.
			if serr := send(bytes.Clone(buf[:n]), false); serr != nil {
				return serr
			}
		}
		if errors.Is(err, io.EOF) {
			return send(nil, true)
		}
		if err != nil {
			return fmt.Errorf("read body: %w", err)
		}
	}
}

func headerList(h http.Header) []*pb.Header {
	list := make([]*pb.Header, 0, len(h))
	for name, values := range h {
		for _, v := range values {
			list = append(list, &pb.Header{Name: name, Value: v})
		}
	}
	return list
}

func headerMap(list []*pb.Header) http.Header {
	h := make(http.Header, len(list))
	for _, kv := range list {
		h.Add(kv.Name, kv.Value)
	}
	return h
}
