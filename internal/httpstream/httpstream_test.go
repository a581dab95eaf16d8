package httpstream

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// requestPipe is an in-memory stream of request messages.
type requestPipe struct{ ch chan *pb.FetchRequest }

func (p *requestPipe) Send(m *pb.FetchRequest) error { p.ch <- m; return nil }
func (p *requestPipe) Recv() (*pb.FetchRequest, error) {
	m, ok := <-p.ch
	if !ok {
		return nil, io.EOF
	}
	return m, nil
}

type responsePipe struct{ ch chan *pb.FetchResponse }

func (p *responsePipe) Send(m *pb.FetchResponse) error { p.ch <- m; return nil }
func (p *responsePipe) Recv() (*pb.FetchResponse, error) {
	m, ok := <-p.ch
	if !ok {
		return nil, io.EOF
	}
	return m, nil
}

func TestRequestRoundTrip(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 50_000) // several chunks
	req, _ := http.NewRequest("PUT", "http://worker/path?q=1", bytes.NewReader(body))
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")

	p := &requestPipe{ch: make(chan *pb.FetchRequest, 100)}
	target := &pb.Target{Entrypoint: "api"}
	go func() { _ = SendRequest(p, target, req) }()

	gotTarget, got, err := ReceiveRequest(p)
	if err != nil {
		t.Fatal(err)
	}
	gotBody, err := io.ReadAll(got.Body)
	if err != nil {
		t.Fatal(err)
	}
	if gotTarget.GetEntrypoint() != "api" || got.Method != "PUT" || got.URL.String() != "http://worker/path?q=1" {
		t.Errorf("head = %v %s %s", gotTarget, got.Method, got.URL)
	}
	if strings.Join(got.Header.Values("X-Multi"), ",") != "a,b" {
		t.Errorf("X-Multi = %v; want a,b", got.Header.Values("X-Multi"))
	}
	if !bytes.Equal(gotBody, body) {
		t.Errorf("body of %d bytes arrived as %d bytes", len(body), len(gotBody))
	}
}

func TestResponseRoundTrip(t *testing.T) {
	resp := &http.Response{
		StatusCode: 418,
		Status:     "418 I'm a teapot",
		Header:     http.Header{"Content-Type": {"text/plain"}},
		Body:       io.NopCloser(strings.NewReader("short and stout")),
	}
	p := &responsePipe{ch: make(chan *pb.FetchResponse, 10)}
	go func() { _ = SendResponse(p, resp) }()

	done := make(chan struct{})
	got, err := ReceiveResponse(p, func() { close(done) })
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	<-done
	if got.StatusCode != 418 || got.Status != "418 I'm a teapot" || string(b) != "short and stout" {
		t.Errorf("response = %s %q", got.Status, b)
	}
}

func TestSmallBodyInHead(t *testing.T) {
	resp := &http.Response{
		StatusCode:    200,
		Status:        "200 OK",
		Body:          io.NopCloser(strings.NewReader("sixteen bytes ok")),
		ContentLength: 16,
	}
	p := &responsePipe{ch: make(chan *pb.FetchResponse, 10)}
	if err := SendResponse(p, resp); err != nil {
		t.Fatal(err)
	}
	close(p.ch)
	if n := len(p.ch); n != 1 {
		t.Fatalf("%d messages, want the head alone", n)
	}
	got, err := ReceiveResponse(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentLength != 16 {
		t.Errorf("content length %d, want 16", got.ContentLength)
	}
	b, err := io.ReadAll(got.Body)
	if err != nil || string(b) != "sixteen bytes ok" {
		t.Errorf("body %q, %v", b, err)
	}

	req, _ := http.NewRequest("POST", "http://worker/", strings.NewReader("tiny"))
	rp := &requestPipe{ch: make(chan *pb.FetchRequest, 10)}
	if err := SendRequest(rp, &pb.Target{}, req); err != nil {
		t.Fatal(err)
	}
	if n := len(rp.ch); n != 1 {
		t.Fatalf("%d request messages, want the head alone", n)
	}
	_, gotReq, err := ReceiveRequest(rp)
	if err != nil {
		t.Fatal(err)
	}
	if gotReq.ContentLength != 4 {
		t.Errorf("request content length %d, want 4", gotReq.ContentLength)
	}
	if b, _ := io.ReadAll(gotReq.Body); string(b) != "tiny" {
		t.Errorf("request body %q", b)
	}
}

func TestTruncatedBody(t *testing.T) {
	p := &responsePipe{ch: make(chan *pb.FetchResponse, 10)}
	p.ch <- &pb.FetchResponse{Response: &pb.HttpResponse{Status: 200, HasBody: true}, Body: []byte("part")}
	close(p.ch)
	got, err := ReceiveResponse(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(got.Body)
	if string(b) != "part" || err != io.ErrUnexpectedEOF {
		t.Errorf("read = %q, %v; want the part and io.ErrUnexpectedEOF", b, err)
	}
}

func TestFirstMessageWithoutHead(t *testing.T) {
	p := &requestPipe{ch: make(chan *pb.FetchRequest, 1)}
	p.ch <- &pb.FetchRequest{Body: []byte("x")}
	if _, _, err := ReceiveRequest(p); err == nil || err.Error() != "receive request: first message has no request head" {
		t.Errorf("ReceiveRequest = %v", err)
	}
}

// FuzzReceiveRequest feeds arbitrary message sequences, as a peer could
// send them, and reads the request: nothing may panic or hang.
func FuzzReceiveRequest(f *testing.F) {
	head, _ := proto.Marshal(&pb.FetchRequest{Request: &pb.HttpRequest{Method: "GET", Url: "http://x/", HasBody: true}})
	chunk, _ := proto.Marshal(&pb.FetchRequest{Body: []byte("abc"), End: true})
	f.Add(head, chunk)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		p := &requestPipe{ch: make(chan *pb.FetchRequest, 2)}
		for _, data := range [][]byte{first, second} {
			m := new(pb.FetchRequest)
			if err := proto.Unmarshal(data, m); err == nil {
				p.ch <- m
			}
		}
		close(p.ch)
		_, req, err := ReceiveRequest(p)
		if err == nil && req.Body != nil {
			_, _ = io.ReadAll(req.Body)
		}
	})
}
