package workerhost

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/link/linktest"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// supervisorLink serves s on the workerhost's end of a new link, as Serve
// does, and returns the supervisor's end.
func supervisorLink(t *testing.T, s *workerServer) *link.Conn {
	t.Helper()
	sup, workerEnd := linktest.SocketPair(t)
	worker := link.New(workerEnd, link.Options{Handler: s.serveLink, AcceptFiles: true})
	c := link.New(sup, link.Options{Odd: true})
	t.Cleanup(func() {
		c.Close()
		worker.Close()
	})
	return c
}

const pingSource = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { ping() { return "pong"; } }
`

func TestLoadOnLink(t *testing.T) {
	host := newHostClient()
	s := newWorkerServer(host, host.direct)
	t.Cleanup(s.close)
	c := supervisorLink(t, s)
	ctx := testCtx(t)

	code := &pb.WorkerCode{
		CompatibilityDate: "2025-06-01", MainModule: "main.js",
		Modules: []*pb.Module{{Name: "main.js", Content: &pb.Module_Js{Js: pingSource}}},
	}
	resp := new(whpb.LoadResponse)
	if _, err := c.Call(ctx, LinkLoad, &whpb.LoadRequest{Namespace: "test", WorkerId: "a", Code: code}, resp); err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(resp.Exports) != 1 || resp.Exports[0].Name != "default" {
		t.Errorf("exports = %v; want the default export", resp.Exports)
	}
	if resp.Bundle == "" {
		t.Error("load without a bundle returned none for the supervisor to cache")
	}

	call := new(pb.CallResponse)
	if _, err := c.Call(ctx, LinkCall, &pb.CallRequest{Target: &pb.Target{}, Method: "ping"}, call); err != nil {
		t.Fatalf("call after load: %v", err)
	}
	if got := call.GetResult().GetString_(); got != "pong" {
		t.Errorf("ping = %q; want pong", got)
	}

	_, err := c.Call(ctx, LinkLoad, &whpb.LoadRequest{Namespace: "test", WorkerId: "b", Code: code}, new(whpb.LoadResponse))
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "already runs a worker") {
		t.Errorf("second load: %v; want FAILED_PRECONDITION", err)
	}
}

func TestLoadOnLinkReportsScriptError(t *testing.T) {
	host := newHostClient()
	s := newWorkerServer(host, host.direct)
	t.Cleanup(s.close)
	c := supervisorLink(t, s)

	code := &pb.WorkerCode{
		CompatibilityDate: "2025-06-01", MainModule: "main.js",
		Modules: []*pb.Module{{Name: "main.js", Content: &pb.Module_Js{Js: `throw new RangeError("top level");`}}},
	}
	_, err := c.Call(testCtx(t), LinkLoad, &whpb.LoadRequest{Namespace: "test", WorkerId: "a", Code: code}, new(whpb.LoadResponse))
	if err == nil || !strings.Contains(err.Error(), "RangeError: top level") {
		t.Errorf("load of a throwing module: %v; want the RangeError", err)
	}
}
