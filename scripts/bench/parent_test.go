package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost/engine"
)

// parentSideSource calls a loaded worker n times, by RPC or by fetch, and
// reads each response body whole, as testdata/parent.js does.
const parentSideSource = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async rpc(n) {
    const ep = this.env.LOADER.get("w", () => { throw new Error("not used"); }).getEntrypoint();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ep.ping();
    return sum;
  }
  async fetchLoop(n) {
    const ep = this.env.LOADER.get("w", () => { throw new Error("not used"); }).getEntrypoint();
    let total = 0;
    for (let i = 0; i < n; i++) {
      const resp = await ep.fetch("http://child/?size=16");
      total += (await resp.arrayBuffer()).byteLength;
    }
    return total;
  }
}
`

// echoHost is an engine.Host whose loaded worker answers at once: calls
// return 1 and fetches a 16-byte body. It measures a parent worker's own
// side of a call, without any process hop.
type echoHost struct{ nopHost }

func (echoHost) LoaderGet(context.Context, string, string) (string, string, error) {
	return "handle", "", nil
}

func (echoHost) FetchWorker(_ context.Context, _ *pb.Target, req *http.Request) (*http.Response, error) {
	body := bytes.Repeat([]byte("a"), 16)
	return &http.Response{
		StatusCode:    200,
		Status:        "200 OK",
		Header:        http.Header{"Content-Type": {"application/octet-stream"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}, nil
}

func (echoHost) CallWorker(context.Context, *pb.Target, string, []*pb.Value) (*pb.Value, error) {
	return &pb.Value{Kind: &pb.Value_Number{Number: 1}}, nil
}

// BenchmarkParentSide measures what a parent worker's process spends on
// one call or fetch to a loaded worker that answers at once: the JavaScript
// stub, argument and result conversion, and Request and Response objects.
func BenchmarkParentSide(b *testing.B) {
	const n = 100
	for _, method := range []string{"rpc", "fetchLoop"} {
		b.Run(method, func(b *testing.B) {
			e, err := engine.Prepare(echoHost{})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			code := &pb.WorkerCode{
				CompatibilityDate: compatibilityDate,
				MainModule:        "parent.js",
				Modules:           []*pb.Module{{Name: "parent.js", Content: &pb.Module_Js{Js: parentSideSource}}},
			}
			bindings := []*whpb.Binding{{Name: "LOADER", Kind: &whpb.Binding_Loader{Loader: &whpb.LoaderBinding{Id: "bench"}}}}
			if _, err := e.Load(code, bindings, ""); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			args := []*pb.Value{{Kind: &pb.Value_Number{Number: n}}}
			for b.Loop() {
				if _, err := e.Call(ctx, "", nil, method, args); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1e3, "µs/call")
		})
	}
}
