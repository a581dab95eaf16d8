package link

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/dynworker/dynworker/internal/link/linktest"
)

const methodWriteFile Method = 20

// TestCallWithFile passes one end of a pipe to the peer, whose handler
// writes the request's text into it.
func TestCallWithFile(t *testing.T) {
	ca, cb := linktest.SocketPair(t)
	a := New(ca, Options{Odd: true})
	b := New(cb, Options{AcceptFiles: true, Handler: func(m Method, s *Stream) error {
		return Reply(s, &wrapperspb.StringValue{}, func(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			f := s.File()
			if f == nil {
				return wrapperspb.String("no file"), nil
			}
			defer f.Close()
			_, err := f.WriteString(in.Value)
			return wrapperspb.String("written"), err
		})
	}})
	defer a.Close()
	defer b.Close()

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	var out wrapperspb.StringValue
	if err := a.CallWithFile(context.Background(), methodWriteFile, wrapperspb.String("through the pipe"), &out, pw); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if out.Value != "written" {
		t.Fatalf("reply %q", out.Value)
	}
	got, err := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "through the pipe" {
		t.Errorf("pipe carried %q", got)
	}
}

// TestFileRejected sends a descriptor to a link that does not accept
// them: the link must close with an error saying so.
func TestFileRejected(t *testing.T) {
	ca, cb := linktest.SocketPair(t)
	a := New(ca, Options{Odd: true})
	b := New(cb, Options{Handler: testHandler(make(chan error, 1))})
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.CallWithFile(ctx, methodEcho, wrapperspb.String("x"), &wrapperspb.StringValue{}, os.Stdin)
	if err == nil {
		t.Fatal("call succeeded")
	}
	<-b.Done()
	if err := b.Err(); err == nil || !strings.Contains(err.Error(), "this link does not accept them") {
		t.Errorf("link error %v", err)
	}
}

// TestFileMissing marks a frame as carrying a descriptor without sending
// one, as a hostile peer could.
func TestFileMissing(t *testing.T) {
	ours, theirs := linktest.SocketPair(t)
	defer theirs.Close()
	c := New(ours, Options{AcceptFiles: true, Handler: testHandler(make(chan error, 1))})
	defer c.Close()
	if _, err := theirs.Write(rawFrame(header{stream: 1, typ: frameOpen, flags: flagFile | flagLast, method: methodEcho}, nil)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("link still open")
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "none came") {
		t.Errorf("link error %v", err)
	}
}
