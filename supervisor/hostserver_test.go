package supervisor

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/link/linktest"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost"
)

// newTestHostServer returns the server of a child's link requests, for a
// child whose worker has one loader binding, for the namespace "mine".
func newTestHostServer(t *testing.T) *hostServer {
	t.Helper()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	w, _, _ := s.loader.Lookup(ParentNamespace, "parent", []*whpb.Binding{
		{Name: "LOADER", Kind: &whpb.Binding_Loader{Loader: &whpb.LoaderBinding{Id: "mine"}}},
	})
	p := &process{sup: s, worker: w}
	p.host = newHostServer(p)
	return p.host
}

func TestHostRejectsForeignBinding(t *testing.T) {
	h := newTestHostServer(t)
	_, err := h.LoaderGet(context.Background(), &whpb.LoaderGetRequest{Binding: "theirs", WorkerId: "a"})
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), `worker parent has no loader binding "theirs"`) {
		t.Errorf("LoaderGet with another binding: %v; want PermissionDenied naming the binding", err)
	}
	_, err = h.LoaderLoad(context.Background(), &whpb.LoaderLoadRequest{Binding: "theirs"})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("LoaderLoad with another binding: %v; want PermissionDenied", err)
	}
}

func TestHostRejectsUnissuedHandle(t *testing.T) {
	h := newTestHostServer(t)
	_, err := h.Call(context.Background(), &pb.CallRequest{Target: &pb.Target{Handle: "guessed"}, Method: "x"})
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), `worker handle "guessed" was not issued to this worker`) {
		t.Errorf("Call with a guessed handle: %v; want PermissionDenied", err)
	}
}

func TestHostRejectsUnknownToken(t *testing.T) {
	h := newTestHostServer(t)
	_, err := h.LoaderProvide(context.Background(), &whpb.LoaderProvideRequest{CodeToken: "nope"})
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), `unknown code token "nope"`) {
		t.Errorf("LoaderProvide with an unknown token: %v", err)
	}
}

func TestHostIssuesHandlesPerChild(t *testing.T) {
	h := newTestHostServer(t)
	other := newTestHostServer(t)
	other.sup = h.sup

	resp, err := h.LoaderGet(context.Background(), &whpb.LoaderGetRequest{Binding: "mine", WorkerId: "a"})
	if err != nil || resp.CodeToken == "" {
		t.Fatalf("first LoaderGet = %v, %v; want a code token", resp, err)
	}
	code := &pb.WorkerCode{CompatibilityDate: "2025-06-01", MainModule: "a.js", Modules: []*pb.Module{{Name: "a.js", Content: &pb.Module_Js{Js: ""}}}}
	got, err := h.LoaderProvide(context.Background(), &whpb.LoaderProvideRequest{CodeToken: resp.CodeToken, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.worker(got.Handle); err == nil {
		t.Error("another child could use a handle issued to this one")
	}
	if w, err := h.worker(got.Handle); err != nil || w.ID != "a" {
		t.Errorf("worker(handle) = %v, %v; want worker a", w, err)
	}
}

func TestHostExpiresUnansweredToken(t *testing.T) {
	h := newTestHostServer(t)
	old := codeTimeout
	codeTimeout = 50 * time.Millisecond
	defer func() { codeTimeout = old }()

	resp, err := h.LoaderGet(context.Background(), &whpb.LoaderGetRequest{Binding: "mine", WorkerId: "stuck"})
	if err != nil || resp.CodeToken == "" {
		t.Fatalf("LoaderGet = %v, %v; want a code token", resp, err)
	}
	w, err := h.sup.loader.Find("mine", "stuck")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = w.Code(ctx)
	if err == nil || err.Error() != `Error: the getCode callback for worker "stuck" did not return within 50ms` {
		t.Errorf("Code() = %v; want the getCode timeout", err)
	}
}

// childLink serves h on one end of a new link and returns the child's end.
func childLink(t *testing.T, h *hostServer) *link.Conn {
	t.Helper()
	supEnd, childEnd := linktest.SocketPair(t)
	sup := link.New(supEnd, link.Options{Odd: true, Handler: h.serveLink})
	child := link.New(childEnd, link.Options{})
	t.Cleanup(func() {
		child.Close()
		sup.Close()
	})
	return child
}

func TestHostLinkRejectsSupervisorMethods(t *testing.T) {
	c := childLink(t, newTestHostServer(t))
	ctx := context.Background()
	methods := []link.Method{workerhost.LinkLoad, workerhost.LinkServePeer, workerhost.LinkAttach, workerhost.LinkDrain, 99}
	for _, m := range methods {
		_, err := c.Call(ctx, m, &pb.Empty{}, new(pb.Empty))
		if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "link: unknown method") {
			t.Errorf("method %d: %v; want UNIMPLEMENTED", m, err)
		}
	}
}

func TestHostLinkChecksLoaderBinding(t *testing.T) {
	c := childLink(t, newTestHostServer(t))
	ctx := context.Background()
	_, err := c.Call(ctx, workerhost.LinkLoaderGet, &whpb.LoaderGetRequest{Binding: "theirs", WorkerId: "a"}, new(whpb.LoaderGetResponse))
	if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), `worker parent has no loader binding "theirs"`) {
		t.Errorf("LinkLoaderGet with another binding: %v; want PermissionDenied naming the binding", err)
	}
	_, err = c.Call(ctx, workerhost.LinkLoaderLoad, &whpb.LoaderLoadRequest{Binding: "theirs"}, new(whpb.LoaderLoadResponse))
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("LinkLoaderLoad with another binding: %v; want PermissionDenied", err)
	}
	_, err = c.Call(ctx, workerhost.LinkLoaderProvide, &whpb.LoaderProvideRequest{CodeToken: "nope"}, new(whpb.LoaderProvideResponse))
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), `unknown code token "nope"`) {
		t.Errorf("LinkLoaderProvide with an unknown token: %v; want NotFound", err)
	}
	resp := new(whpb.LoaderGetResponse)
	if _, err := c.Call(ctx, workerhost.LinkLoaderGet, &whpb.LoaderGetRequest{Binding: "mine", WorkerId: "a"}, resp); err != nil {
		t.Fatalf("LinkLoaderGet with the worker's binding: %v", err)
	}
	if resp.CodeToken == "" {
		t.Errorf("LinkLoaderGet of a new worker = %v; want a code token", resp)
	}
}

func TestHostLinkLogs(t *testing.T) {
	c := childLink(t, newTestHostServer(t))
	if _, err := c.Call(context.Background(), workerhost.LinkLog, &whpb.LogRequest{Level: "warn", Message: "hello"}, new(whpb.LogResponse)); err != nil {
		t.Errorf("LinkLog: %v", err)
	}
}

func TestHostLinkDeniesOutbound(t *testing.T) {
	h := newTestHostServer(t)
	code := &pb.WorkerCode{
		CompatibilityDate: "2025-06-01", MainModule: "a.js",
		Modules:        []*pb.Module{{Name: "a.js", Content: &pb.Module_Js{Js: ""}}},
		GlobalOutbound: &pb.GlobalOutbound{Kind: &pb.GlobalOutbound_None{None: &pb.Empty{}}},
	}
	if err := h.proc.currentWorker().Provide(code, nil); err != nil {
		t.Fatal(err)
	}
	c := childLink(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A loopback address, which the outbound client would reject too, so
	// a broken check sends nothing off this machine.
	req, _ := http.NewRequest("GET", "http://127.0.0.1:1/", nil)
	_, err := httpstream.RoundTrip(ctx, httpstream.LinkOpener(c, workerhost.LinkOutbound), nil, req, nil)
	if err == nil || !strings.Contains(rpcerr.FromStatus(err).Error(), errOutboundDenied.Error()) {
		t.Errorf("LinkOutbound from a worker with globalOutbound null: %v; want workerd's message", err)
	}
}
