package workerhost

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// peerLink serves a direct link from s and returns the parent's side.
func peerLink(t *testing.T, s *workerServer) *link.Conn {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.servePeer(os.NewFile(uintptr(fds[1]), "peer")); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[0]), "parent")
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := link.New(nc, link.Options{Odd: true})
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestPeerLinkServesOnlyCalls checks that a parent holding a direct link
// cannot use it for the supervisor's requests.
func TestPeerLinkServesOnlyCalls(t *testing.T) {
	c := peerLink(t, &workerServer{trim: newTrimmer()})
	ctx := testCtx(t)
	methods := []link.Method{LinkConnect, LinkServePeer, LinkAttach, LinkDrain, LinkExitReason, LinkLoad,
		LinkLoaderGet, LinkLoaderProvide, LinkLoaderLoad, LinkOutbound, LinkLog, 99}
	for _, m := range methods {
		_, err := c.Call(ctx, m, &pb.Empty{}, new(pb.Empty))
		if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "link: unknown method") {
			t.Errorf("method %d: %v, want UNIMPLEMENTED", m, err)
		}
	}
	// A call reaches the worker server, which has no worker loaded here.
	_, err := c.Call(ctx, LinkCall, &pb.CallRequest{Target: &pb.Target{}, Method: "ping"}, new(pb.CallResponse))
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "no worker is loaded") {
		t.Errorf("call: %v, want FAILED_PRECONDITION", err)
	}
}

func TestPeerLinkDrain(t *testing.T) {
	s := &workerServer{trim: newTrimmer()}
	c := peerLink(t, s)
	ctx := testCtx(t)
	call := func() error {
		_, err := c.Call(ctx, LinkCall, &pb.CallRequest{Target: &pb.Target{}, Method: "ping"}, new(pb.CallResponse))
		return err
	}
	_ = call()
	if s.peers.drain(time.Hour) {
		t.Fatal("drained right after a call")
	}
	if !s.peers.drain(0) {
		t.Fatal("not drained with no call in progress")
	}
	err := call()
	if status.Code(err) != errDraining || !strings.Contains(err.Error(), "send the call through the supervisor") {
		t.Errorf("call while draining: %v, want ABORTED", err)
	}

	// A new link means the supervisor kept the worker.
	c = peerLink(t, s)
	if err := call(); status.Code(err) == errDraining {
		t.Errorf("call on a new link: %v", err)
	}
}

func TestDrainRequest(t *testing.T) {
	sup := supervisorLink(t, &workerServer{trim: newTrimmer()})

	resp := new(whpb.DrainResponse)
	if _, err := sup.Call(testCtx(t), LinkDrain, &whpb.DrainRequest{IdleMs: 0}, resp); err != nil {
		t.Fatal(err)
	}
	if !resp.Drained {
		t.Error("an idle worker did not drain")
	}
}

func TestDirectLinksPruned(t *testing.T) {
	d := &directLinks{links: make(map[string]*directLink), connect: func(context.Context, string) error { return nil }}
	for i := range 3 * maxLinkEntries {
		if c := d.get(fmt.Sprintf("handle-%d", i)); c != nil {
			t.Fatalf("handle %d has a link", i)
		}
	}
	if n := len(d.links); n > maxLinkEntries {
		t.Errorf("%d entries after %d one-call handles, want at most %d", n, 3*maxLinkEntries, maxLinkEntries)
	}
}

func TestTooLargeNamesMethod(t *testing.T) {
	other := errors.New("other")
	if err := nameTooLarge("len", "the arguments are", other); err != other {
		t.Errorf("another error came back as %v", err)
	}
	err := nameTooLarge("len", "the arguments are", &link.MessageTooLargeError{Size: 20, Limit: 10})
	want := "call len(): the arguments are 20 bytes, over the limit of 10 bytes"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if status.Code(rpcerr.ToStatus(err)) != codes.ResourceExhausted {
		t.Errorf("code %v, want ResourceExhausted", status.Code(rpcerr.ToStatus(err)))
	}
}
