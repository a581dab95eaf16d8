package supervisor

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// newTestHostServer returns the Host service of a child whose worker has
// one loader binding, for the namespace "mine".
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
	p.host = &hostServer{sup: s, proc: p, outboundSlots: make(chan struct{}, maxOutboundPerWorker)}
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
