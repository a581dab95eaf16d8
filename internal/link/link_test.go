package link

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/dynworker/dynworker/internal/link/linktest"
)

const (
	methodEcho Method = iota + 1
	methodFail
	methodBroken
	methodStream
	methodBlock
	methodCount
)

// testHandler serves the test methods. methodBlock waits until the
// stream's context ends and reports that on blocked.
func testHandler(blocked chan<- error) Handler {
	return func(m Method, s *Stream) error {
		switch m {
		case methodEcho:
			return Reply(s, &wrapperspb.StringValue{}, func(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
				return wrapperspb.String("echo: " + in.Value), nil
			})
		case methodFail:
			return status.Error(codes.InvalidArgument, "the value is invalid")
		case methodBroken:
			s.SetBroken()
			return status.Error(codes.Unknown, "runtime broke")
		case methodStream:
			// Reply with n bytes in chunks of 32 KiB, n from the request.
			var in wrapperspb.Int64Value
			if err := s.Recv(&in); err != nil {
				return err
			}
			chunk := bytes.Repeat([]byte{'x'}, 32<<10)
			for sent := int64(0); sent < in.Value; sent += int64(len(chunk)) {
				if err := s.Send(wrapperspb.Bytes(chunk), false); err != nil {
					return err
				}
			}
			return nil
		case methodCount:
			// Read every message, then reply with the number of bytes.
			var n int64
			for {
				var chunk wrapperspb.BytesValue
				err := s.Recv(&chunk)
				if errors.Is(err, io.EOF) {
					return s.Send(wrapperspb.Int64(n), true)
				}
				if err != nil {
					return err
				}
				n += int64(len(chunk.Value))
			}
		case methodBlock:
			<-s.Context().Done()
			blocked <- s.Context().Err()
			return s.Context().Err()
		}
		return status.Errorf(codes.Unimplemented, "method %d", m)
	}
}

// newPair returns two linked Conns that both serve the test methods.
func newPair(t testing.TB, opts Options) (a, b *Conn, blocked chan error) {
	t.Helper()
	blocked = make(chan error, 1)
	ca, cb := linktest.SocketPair(t)
	optsA, optsB := opts, opts
	optsA.Odd = true
	optsA.Handler = testHandler(blocked)
	optsB.Handler = testHandler(blocked)
	a, b = New(ca, optsA), New(cb, optsB)
	t.Cleanup(func() {
		a.Close()
		b.Close()
	})
	return a, b, blocked
}

func TestCallBothWays(t *testing.T) {
	a, b, _ := newPair(t, Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		for _, c := range []*Conn{a, b} {
			wg.Go(func() {
				var out wrapperspb.StringValue
				in := strings.Repeat("a", i)
				if _, err := c.Call(ctx, methodEcho, wrapperspb.String(in), &out); err != nil {
					t.Errorf("call: %v", err)
					return
				}
				if out.Value != "echo: "+in {
					t.Errorf("reply %q, want %q", out.Value, "echo: "+in)
				}
			})
		}
	}
	wg.Wait()
}

func TestCallError(t *testing.T) {
	a, _, _ := newPair(t, Options{})
	broken, err := a.Call(context.Background(), methodFail, wrapperspb.String(""), &wrapperspb.StringValue{})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("code %v, want InvalidArgument: %v", status.Code(err), err)
	}
	if msg := status.Convert(err).Message(); msg != "the value is invalid" {
		t.Errorf("message %q", msg)
	}
	if broken {
		t.Error("reply marked broken")
	}
}

func TestCallBroken(t *testing.T) {
	a, _, _ := newPair(t, Options{})
	broken, err := a.Call(context.Background(), methodBroken, wrapperspb.String(""), &wrapperspb.StringValue{})
	if status.Code(err) != codes.Unknown {
		t.Fatalf("code %v, want Unknown: %v", status.Code(err), err)
	}
	if !broken {
		t.Error("reply not marked broken")
	}
}

func TestNoHandler(t *testing.T) {
	ca, cb := linktest.SocketPair(t)
	a, b := New(ca, Options{Odd: true}), New(cb, Options{})
	defer a.Close()
	defer b.Close()
	_, err := a.Call(context.Background(), methodEcho, wrapperspb.String(""), &wrapperspb.StringValue{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("code %v, want Unimplemented: %v", status.Code(err), err)
	}
}

// TestStreamFlowControl reads a 4 MiB reply slowly through a 64 KiB window:
// the sender must wait for grants, or the receiver closes the link.
func TestStreamFlowControl(t *testing.T) {
	a, _, _ := newPair(t, Options{Window: 64 << 10})
	s, err := a.Open(context.Background(), methodStream)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const total = 4 << 20
	if err := s.Send(wrapperspb.Int64(total), true); err != nil {
		t.Fatal(err)
	}
	got := 0
	for {
		var chunk wrapperspb.BytesValue
		err := s.Recv(&chunk)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", got, err)
		}
		got += len(chunk.Value)
		if got%(1<<20) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if got != total {
		t.Errorf("received %d bytes, want %d", got, total)
	}
	if err := a.Err(); err != nil {
		t.Errorf("link closed: %v", err)
	}
}

// TestSendWhileReceiving sends a request larger than the window while
// another goroutine waits for the reply on the same stream: a window grant
// must wake the sender, not the receiver.
func TestSendWhileReceiving(t *testing.T) {
	a, _, _ := newPair(t, Options{Window: 64 << 10})
	for range 20 {
		sendWhileReceiving(t, a)
	}
}

func sendWhileReceiving(t *testing.T, a *Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := a.Open(ctx, methodCount)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const chunks = 8
	got := make(chan error, 1)
	var n wrapperspb.Int64Value
	go func() { got <- s.Recv(&n) }()
	// The receiver waits first, as a fetch waits for its response head
	// while the request body goes out.
	time.Sleep(time.Millisecond)
	chunk := bytes.Repeat([]byte{'x'}, 32<<10)
	for i := range chunks {
		if err := s.Send(wrapperspb.Bytes(chunk), i == chunks-1); err != nil {
			t.Fatalf("send chunk %d: %v", i, err)
		}
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if n.Value != chunks*32<<10 {
		t.Errorf("the peer counted %d bytes, want %d", n.Value, chunks*32<<10)
	}
}

func TestMessageLargerThanWindow(t *testing.T) {
	a, _, _ := newPair(t, Options{Window: 1 << 10})
	in := strings.Repeat("x", 1<<20)
	var out wrapperspb.StringValue
	if _, err := a.Call(context.Background(), methodEcho, wrapperspb.String(in), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Value) != len(in)+len("echo: ") {
		t.Errorf("reply of %d bytes", len(out.Value))
	}
}

func TestMessageOverLimit(t *testing.T) {
	a, _, _ := newPair(t, Options{MaxMessageSize: 1 << 10})
	_, err := a.Call(context.Background(), methodEcho, wrapperspb.String(strings.Repeat("x", 2<<10)), &wrapperspb.StringValue{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("code %v, want ResourceExhausted: %v", status.Code(err), err)
	}
	if !strings.Contains(err.Error(), "over the limit of 1024") {
		t.Errorf("error %q does not name the limit", err)
	}
}

func TestCancelReachesHandler(t *testing.T) {
	a, _, blocked := newPair(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := a.Call(ctx, methodBlock, wrapperspb.String(""), &wrapperspb.StringValue{})
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-errc; status.Code(err) != codes.Canceled {
		t.Errorf("caller: code %v, want Canceled: %v", status.Code(err), err)
	}
	select {
	case err := <-blocked:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler context: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context was not cancelled")
	}
}

func TestCloseEndsCalls(t *testing.T) {
	a, b, blocked := newPair(t, Options{})
	errc := make(chan error, 1)
	go func() {
		_, err := a.Call(context.Background(), methodBlock, wrapperspb.String(""), &wrapperspb.StringValue{})
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	b.Close()
	if err := <-errc; status.Code(err) != codes.Unavailable {
		t.Errorf("caller: code %v, want Unavailable: %v", status.Code(err), err)
	}
	if err := <-blocked; !errors.Is(err, context.Canceled) {
		t.Errorf("handler context: %v", err)
	}
	<-a.Done()
	_, err := a.Open(context.Background(), methodEcho)
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "link closed") {
		t.Errorf("open after close: %v", err)
	}
}

// TestMaxStreamsRejects checks the accepting side's limit against a peer
// that does not keep to it.
func TestMaxStreamsRejects(t *testing.T) {
	ca, cb := linktest.SocketPair(t)
	blocked := make(chan error, 1)
	a := New(ca, Options{Odd: true, MaxStreams: 2})
	b := New(cb, Options{MaxStreams: 1, Handler: testHandler(blocked)})
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _, _ = a.Call(ctx, methodBlock, wrapperspb.String(""), &wrapperspb.StringValue{}) }()
	time.Sleep(20 * time.Millisecond)
	_, err := a.Call(context.Background(), methodEcho, wrapperspb.String(""), &wrapperspb.StringValue{})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("code %v, want ResourceExhausted: %v", status.Code(err), err)
	}
	if !strings.Contains(err.Error(), "too many calls in progress on this link (the limit is 1)") {
		t.Errorf("error %q", err)
	}
	cancel()
	<-blocked
}

// waitOwnStreams waits until c has n streams of its own open.
func waitOwnStreams(t *testing.T, c *Conn, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		own := c.own
		c.mu.Unlock()
		if own == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d streams open, want %d", own, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestOpenWaitsForSlot opens more streams than the limit: the last waits
// for a free slot instead of failing, and OnFull runs.
func TestOpenWaitsForSlot(t *testing.T) {
	full := make(chan struct{}, 1)
	ca, cb := linktest.SocketPair(t)
	blocked := make(chan error, 1)
	a := New(ca, Options{Odd: true, MaxStreams: 1, OnFull: func() { full <- struct{}{} }})
	b := New(cb, Options{MaxStreams: 1, Handler: testHandler(blocked)})
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = a.Call(ctx, methodBlock, wrapperspb.String(""), &wrapperspb.StringValue{}) }()
	waitOwnStreams(t, a, 1)

	done := make(chan error, 1)
	go func() {
		var out wrapperspb.StringValue
		_, err := a.Call(context.Background(), methodEcho, wrapperspb.String("queued"), &out)
		done <- err
	}()
	select {
	case <-full:
	case <-time.After(5 * time.Second):
		t.Fatal("OnFull did not run")
	}
	select {
	case err := <-done:
		t.Fatalf("the second call ended while the first held the only slot: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	<-blocked
	if err := <-done; err != nil {
		t.Errorf("queued call: %v", err)
	}

	// A waiting Open gives up with its context.
	go func() {
		_, _ = a.Call(context.Background(), methodBlock, wrapperspb.String(""), &wrapperspb.StringValue{})
	}()
	waitOwnStreams(t, a, 1)
	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if _, err := a.Open(short, methodEcho); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("open with every slot taken: %v, want DeadlineExceeded", err)
	}
}

// TestProtocolViolations writes raw frames to a link, as a hostile peer
// could, and checks that each closes the link with an error naming it.
func TestProtocolViolations(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		want  string
	}{
		{"unknown type", rawFrame(header{stream: 2, typ: 9}, nil), "unknown frame type 9"},
		{"stream zero", rawFrame(header{stream: 0, typ: frameOpen}, nil), "stream ID 0 is reserved"},
		{"too large", rawFrame(header{stream: 2, typ: frameOpen, length: 2 << 10}, nil), "over the limit of 1024"},
		{"open with own ID", rawFrame(header{stream: 1, typ: frameOpen}, nil), "opened with an ID of this side"},
		{"short window", rawFrame(header{stream: 2, typ: frameWindow, length: 2}, []byte{0, 0}), "window frame has 2 payload bytes"},
		{"cancel with payload", rawFrame(header{stream: 2, typ: frameCancel, length: 1}, []byte{0}), "cancel frame has 1 payload bytes"},
		{"past window", append(
			rawFrame(header{stream: 2, typ: frameOpen, method: methodBlock, length: 600}, make([]byte, 600)),
			rawFrame(header{stream: 2, typ: frameMessage, length: 600}, make([]byte, 600))...), "peer sent past its window"},
		{"after last", append(
			rawFrame(header{stream: 2, typ: frameOpen, method: methodBlock, flags: flagLast}, nil),
			rawFrame(header{stream: 2, typ: frameMessage}, nil)...), "message after the last one"},
		{"opened twice", append(
			rawFrame(header{stream: 2, typ: frameOpen, method: methodBlock}, nil),
			rawFrame(header{stream: 2, typ: frameOpen, method: methodBlock}, nil)...), "opened twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs := linktest.SocketPair(t)
			defer theirs.Close()
			c := New(ours, Options{Odd: true, MaxMessageSize: 1 << 10, Window: 512, Handler: testHandler(make(chan error, 1))})
			defer c.Close()
			if _, err := theirs.Write(tt.frame); err != nil {
				t.Fatal(err)
			}
			select {
			case <-c.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("link still open")
			}
			if err := c.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func rawFrame(h header, payload []byte) []byte {
	b := make([]byte, headerSize, headerSize+len(payload))
	h.encode(b)
	if h.length == 0 {
		b[0], b[1], b[2], b[3] = 0, 0, 0, byte(len(payload))
	}
	return append(b, payload...)
}

func TestNoGoroutinesLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b, _ := newPair(t, Options{})
	for range 10 {
		if _, err := a.Call(context.Background(), methodEcho, wrapperspb.String("x"), &wrapperspb.StringValue{}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	b.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after close, %d before", n, before)
	}
}

// BenchmarkCall measures one call round trip between two links in this
// process, over a real socket pair.
func BenchmarkCall(b *testing.B) {
	a, _, _ := newPair(b, Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Call(ctx, methodEcho, wrapperspb.String("ping"), &wrapperspb.StringValue{}); err != nil {
			b.Fatal(err)
		}
	}
}
