package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/client"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

var grpcAddrPattern = regexp.MustCompile(`gRPC host API on (127\.0\.0\.1:\d+)`)

func startServe(t *testing.T) (httpAddr, grpcAddr string) {
	t.Helper()
	c := startCommand(t, "serve", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--warm-pool", "1")
	httpAddr = c.waitAddress(t)
	m := grpcAddrPattern.FindStringSubmatch(c.stdout.String())
	if m == nil {
		t.Fatalf("no gRPC address in %q", c.stdout.String())
	}
	return httpAddr, m[1]
}

func TestServeRunsPostedWorker(t *testing.T) {
	httpAddr, _ := startServe(t)

	src := `export default { fetch(req) { return new Response("posted " + req.method); } };`
	resp, err := http.Post("http://"+httpAddr+"/", "application/javascript", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "posted GET" {
		t.Errorf("POST worker: %d %q; want 200 %q", resp.StatusCode, body, "posted GET")
	}

	resp, err = http.Post("http://"+httpAddr+"/", "application/javascript", strings.NewReader("throw new Error('nope');"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	want := "worker failed: Error: Failed to start Worker:\nUncaught Error: nope"
	if resp.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(string(body), want) {
		t.Errorf("POST throwing worker: %d %q; want 500 starting %q", resp.StatusCode, body, want)
	}
}

// TestServeEvictPostedWorker evicts a worker posted with X-Worker-Id over
// the gRPC API: it lives in the supervisor's namespace dynworker:serve,
// which List shows, so Evict must reach it too.
func TestServeEvictPostedWorker(t *testing.T) {
	httpAddr, grpcAddr := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	src := `let n = 0; export default { fetch() { n += 1; return new Response(String(n)); } };`
	post := func() string {
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+httpAddr+"/", strings.NewReader(src))
		req.Header.Set("X-Worker-Id", "kept")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	post()
	if got := post(); got != "2" {
		t.Fatalf("second POST = %q; want 2 from the same worker", got)
	}

	c, err := client.Dial(grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	evicted, err := c.WithNamespace("dynworker:serve").Evict(ctx, "kept")
	if err != nil {
		t.Fatalf("Evict in dynworker:serve: %v", err)
	}
	if !evicted {
		t.Error("Evict returned false for a running worker")
	}
	if got := post(); got != "1" {
		t.Errorf("POST after eviction = %q; want 1 from a fresh process", got)
	}
}

func TestServeGRPCClient(t *testing.T) {
	_, grpcAddr := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	c, err := client.Dial(grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	calls := 0
	getCode := func(context.Context) (*client.Code, error) {
		calls++
		return &client.Code{
			CompatibilityDate: "2025-06-01",
			MainModule:        "main.js",
			Modules: map[string]client.Module{"main.js": client.JS(`
import { WorkerEntrypoint } from "cloudflare:workers";
let n = 0;
export default class extends WorkerEntrypoint {
  next(step) { n += step; return { n, props: this.ctx.props }; }
  async fetch(req) { return new Response(await req.text() + "!"); }
}`)},
		}, nil
	}
	for want := 1.0; want <= 2; want++ {
		w, err := c.Get(ctx, "counter", getCode)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.Entrypoint("", map[string]any{"tenant": "t1"}).Call(ctx, "next", 1)
		if err != nil {
			t.Fatal(err)
		}
		m := got.(map[string]any)
		if m["n"] != want || m["props"].(map[string]any)["tenant"] != "t1" {
			t.Errorf("next(1) = %v; want n = %v and props.tenant = t1", m, want)
		}
	}
	if calls != 1 {
		t.Errorf("getCode ran %d times; want 1", calls)
	}

	w, err := c.Get(ctx, "counter", getCode)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://worker/", strings.NewReader("hello"))
	resp, err := w.Entrypoint("", nil).Fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello!" {
		t.Errorf("fetch body = %q; want %q", body, "hello!")
	}

	_, err = w.Entrypoint("", nil).Call(ctx, "missing")
	var se *client.ScriptError
	if !errors.As(err, &se) || se.Name != "TypeError" || se.Message != `The RPC receiver does not implement the method "missing".` {
		t.Errorf("call of a missing method: %v; want the workerd TypeError", err)
	}

	list, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, info := range list {
		if info.Namespace == "" && info.WorkerId == "counter" {
			found = info.Pid != 0 && info.State == "running"
		}
	}
	if !found {
		t.Errorf("List = %v; want the worker counter running in the namespace \"\"", list)
	}

	for _, ns := range []string{"dynworker:parent", "dynworker:serve"} {
		_, err = c.WithNamespace(ns).Get(ctx, "serve", getCode)
		if err == nil || !strings.Contains(err.Error(), `namespace "`+ns+`" is reserved`) {
			t.Errorf("Get in namespace %s: %v; want the reserved-namespace error", ns, err)
		}
	}
}

func TestServeLoadLargeCode(t *testing.T) {
	_, grpcAddr := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	c, err := client.Dial(grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// 20 MiB of text is five times gRPC's default message limit.
	big := strings.Repeat("x", 20<<20)
	w, err := c.Load(ctx, &client.Code{
		CompatibilityDate: "2025-06-01",
		MainModule:        "main.js",
		Modules: map[string]client.Module{
			"main.js": client.JS(`import big from "./big.txt"; export default { fetch() { return new Response(String(big.length)); } };`),
			"big.txt": {Text: big},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Release(ctx)
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://worker/", nil)
	resp, err := w.Entrypoint("", nil).Fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "20971520" {
		t.Errorf("body = %q; want the text module's length", body)
	}
}

func TestServeHealthAndReflection(t *testing.T) {
	_, grpcAddr := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "dynworker.v1.WorkerLoader"})
	if err != nil || h.Status != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health check = %v, %v; want SERVING", h, err)
	}

	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	req := &reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}
	if err := stream.Send(req); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "dynworker.v1.WorkerLoader") {
		t.Errorf("reflection lists %v; want dynworker.v1.WorkerLoader", names)
	}
}

func TestServeFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"public gRPC address", []string{"--grpc", "0.0.0.0:8790"}, "dynworker serve: --grpc 0.0.0.0:8790: not a loopback address"},
		{"public HTTP address", []string{"--http", "0.0.0.0:8787"}, "dynworker serve: --http 0.0.0.0:8787: not a loopback address"},
		{"negative warm pool", []string{"--warm-pool", "-1"}, "dynworker serve: --warm-pool -1: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(t.Context(), append([]string{"serve"}, tt.args...), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit code = %d; want 2", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q; want %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestServePostedWorkerLimits(t *testing.T) {
	httpAddr, _ := startServe(t)

	src := `export default { async fetch() {
  try { await fetch("http://127.0.0.1:1/"); return new Response("reached"); }
  catch (e) { return new Response(e.message); } } };`
	resp, err := http.Post("http://"+httpAddr+"/", "application/javascript", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "This worker is not permitted to access the internet via global functions like fetch()."
	if !strings.HasPrefix(string(body), want) {
		t.Errorf("posted worker's fetch: %q; want %q...", body, want)
	}

	big := strings.NewReader(strings.Repeat("x", 64<<20+1))
	resp, err = http.Post("http://"+httpAddr+"/", "application/javascript", big)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "larger than the 67108864 bytes a worker's code may have") {
		t.Errorf("oversized POST: %d %q; want 413", resp.StatusCode, body)
	}
}

func TestServeInvalidCodeStatus(t *testing.T) {
	_, grpcAddr := startServe(t)
	c, err := client.Dial(grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Load(t.Context(), &client.Code{
		CompatibilityDate: "2025-6-1",
		MainModule:        "main.js",
		Modules:           map[string]client.Module{"main.js": client.JS("export default {}")},
	})
	var se *client.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("Load with a bad date: %v; want a script error", err)
	}
	if se.Code != codes.InvalidArgument || se.Name != "Error" || se.Message != "Invalid compatibility date: 2025-6-1" {
		t.Errorf("Load with a bad date: code %v, %s: %q; want INVALID_ARGUMENT and workerd's message", se.Code, se.Name, se.Message)
	}
}

func TestServeWallClockLimit(t *testing.T) {
	_, grpcAddr := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.Dial(grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.Get(ctx, "slow", func(context.Context) (*client.Code, error) {
		return &client.Code{
			CompatibilityDate: "2025-06-01",
			MainModule:        "main.js",
			Modules: map[string]client.Module{"main.js": client.JS(`
import { WorkerEntrypoint } from "cloudflare:workers";
let calls = 0;
export default class extends WorkerEntrypoint {
  count() { return ++calls; }
  never() { return new Promise(() => {}); }
  spin() { for (;;) {} }
}`)},
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ep := w.Entrypoint("", nil).WithLimits(client.Limits{Wall: 300 * time.Millisecond})
	want := "Worker exceeded its wall-clock time limit of 300ms."

	if _, err := ep.Call(ctx, "count"); err != nil {
		t.Fatal(err)
	}
	_, err = ep.Call(ctx, "never")
	var se *client.ScriptError
	if !errors.As(err, &se) || se.Message != want || se.Code != codes.DeadlineExceeded {
		t.Errorf("never(): %v; want %q", err, want)
	}
	// A call that only waits leaves the worker running, state and all.
	if n, err := ep.Call(ctx, "count"); err != nil || n != 2.0 {
		t.Errorf("count() after a timed-out wait = %v, %v; want 2", n, err)
	}

	_, err = ep.Call(ctx, "spin")
	if !errors.As(err, &se) || se.Message != want {
		t.Errorf("spin(): %v; want %q", err, want)
	}
	// An endless loop is interrupted and its process replaced.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := ep.Call(ctx, "count")
		if err == nil {
			if n != 1.0 {
				t.Errorf("count() after the loop was stopped = %v; want 1 from a fresh process", n)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Error("the worker never answered after its endless loop was stopped")
}

func TestServeBadFetchStreams(t *testing.T) {
	_, grpcAddr := startServe(t)
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	api := pb.NewWorkerLoaderClient(conn)

	tests := []struct {
		name  string
		first *pb.FetchRequest
		code  codes.Code
		want  string
	}{
		{"no message", nil, codes.InvalidArgument, "fetch: the stream ended before its first message"},
		{"no head", &pb.FetchRequest{Target: &pb.Target{Handle: "x"}}, codes.InvalidArgument, "fetch: the first message has no request head"},
		{"unknown handle", &pb.FetchRequest{Target: &pb.Target{Handle: strings.Repeat("h", 1000)}, Request: &pb.HttpRequest{Method: "GET", Url: "http://x/"}, End: true},
			codes.NotFound, `worker handle "` + strings.Repeat("h", 64) + `...": worker handle not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := api.Fetch(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tt.first != nil {
				if err := s.Send(tt.first); err != nil {
					t.Fatal(err)
				}
			}
			_ = s.CloseSend()
			_, err = s.Recv()
			if status.Code(err) != tt.code || !strings.Contains(status.Convert(err).Message(), tt.want) {
				t.Errorf("Recv = %v; want %v containing %q", err, tt.code, tt.want)
			}
		})
	}
}
