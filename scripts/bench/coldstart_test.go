package main

// These benchmarks split dynworker's cold start and warm calls into their
// parts, for pprof and benchstat. The program in main.go measures whole
// paths against workerd. These run the supervisor and the engine in the
// test process, so -cpuprofile covers them:
//
//	go test -run '^$' -bench . -count 6 ./scripts/bench | tee new.txt
//	go test -run '^$' -bench EngineLoad -cpuprofile cpu.out ./scripts/bench
//	go tool pprof -top -cum cpu.out

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"golang.org/x/sys/unix"

	"github.com/dynworker/dynworker/internal/link"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/supervisor"
	"github.com/dynworker/dynworker/workerhost"
	"github.com/dynworker/dynworker/workerhost/engine"
)

// TestMain makes the test binary serve as the workerhost when a supervisor
// under test starts it with the argument "workerhost".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "workerhost" {
		if err := workerhost.Serve(); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childProto is the benchmark's dynamic worker as the supervisor receives
// it.
func childProto() *pb.WorkerCode {
	return &pb.WorkerCode{
		CompatibilityDate: compatibilityDate,
		MainModule:        "child.js",
		Modules:           []*pb.Module{{Name: "child.js", Content: &pb.Module_Js{Js: childSource}}},
		GlobalOutbound:    &pb.GlobalOutbound{Kind: &pb.GlobalOutbound_None{None: &pb.Empty{}}},
	}
}

// BenchmarkEnginePrepare measures what a blank workerhost does before its
// code arrives: start an event loop and install the web APIs.
func BenchmarkEnginePrepare(b *testing.B) {
	for b.Loop() {
		e, err := engine.Prepare(nopHost{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkEngineLoad measures what a prepared workerhost does from
// receiving the code to the reply of the first call. It links the modules
// (unless the supervisor sent the script linked before), compiles and
// evaluates them, lists the exports and calls ping. Preparing is off the
// clock.
func BenchmarkEngineLoad(b *testing.B) {
	e := prepareEngine(b)
	linked := loadAndCall(b, e, "")
	e.Close()
	for _, tc := range []struct{ name, linked string }{{"link", ""}, {"cached", linked}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				e := prepareEngine(b)
				b.StartTimer()
				loadAndCall(b, e, tc.linked)
				b.StopTimer()
				e.Close()
				b.StartTimer()
			}
		})
	}
}

func prepareEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	e, err := engine.Prepare(nopHost{})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// loadAndCall loads the benchmark's worker into e, calls ping, and returns
// the linked script.
func loadAndCall(tb testing.TB, e *engine.Engine, linked string) string {
	tb.Helper()
	ctx := context.Background()
	script, err := e.Load(childProto(), nil, linked)
	if err != nil {
		tb.Fatal(err)
	}
	if len(e.Exports()) == 0 {
		tb.Fatal("the loaded worker has no exports")
	}
	if _, err := e.Call(ctx, "", nil, "ping", nil); err != nil {
		tb.Fatal(err)
	}
	return script
}

// BenchmarkEngineCall measures one warm RPC call inside the engine, without
// any process hop.
func BenchmarkEngineCall(b *testing.B) {
	ctx := context.Background()
	e := prepareEngine(b)
	defer e.Close()
	loadAndCall(b, e, "")
	for b.Loop() {
		if _, err := e.Call(ctx, "", nil, "ping", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngineFetch measures one warm fetch inside the engine, without
// any process hop: build the Request, run the handler and read the whole
// response body.
func BenchmarkEngineFetch(b *testing.B) {
	for _, size := range []int{16, mebibyte} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			ctx := context.Background()
			e := prepareEngine(b)
			defer e.Close()
			loadAndCall(b, e, "")
			url := fmt.Sprintf("http://child/?size=%d", size)
			b.SetBytes(int64(size))
			for b.Loop() {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					b.Fatal(err)
				}
				resp, err := e.Fetch(ctx, "", nil, req)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || n != int64(size) {
					b.Fatalf("read %d bytes of the body, want %d: %v", n, size, err)
				}
			}
		})
	}
}

// BenchmarkSupervisorColdStart measures Load, the first call and Release
// through a supervisor in this process, with and without a warm pool. With
// a pool, each iteration first waits, off the clock, for the pool to
// refill.
func BenchmarkSupervisorColdStart(b *testing.B) {
	for _, tc := range []struct {
		name string
		pool int
	}{{"pool=0", 0}, {"pool=2", 2}} {
		b.Run(tc.name, func(b *testing.B) {
			s := newBenchSupervisor(b, tc.pool)
			ctx := context.Background()
			for b.Loop() {
				if tc.pool > 0 {
					b.StopTimer()
					time.Sleep(300 * time.Millisecond)
					b.StartTimer()
				}
				h, err := s.Load(ctx, "bench", childProto())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Call(ctx, h, "", "ping", nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Release(h)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkSupervisorCall measures one warm call from the supervisor to a
// workerhost: the single process hop a host app's Call makes after gRPC.
func BenchmarkSupervisorCall(b *testing.B) {
	s := newBenchSupervisor(b, 0)
	ctx := context.Background()
	h, err := s.Get(ctx, "bench", "warm", func(context.Context) (*pb.WorkerCode, error) { return childProto(), nil })
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Call(ctx, h, "", "ping", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerhostSteps drives a workerhost process directly, as the
// supervisor does, and reports each step of a cold start in milliseconds.
// The steps are the process start with the go-plugin handshake, the load
// call, the first call and a second, warm call. "at-handshake" loads as
// soon as the handshake is done, as a supervisor without a warm pool does.
// "from-pool" first waits off the clock, as a process in a warm pool does.
func BenchmarkWorkerhostSteps(b *testing.B) {
	for _, tc := range []struct {
		name string
		wait time.Duration
	}{{"at-handshake", 0}, {"from-pool", 300 * time.Millisecond}} {
		b.Run(tc.name, func(b *testing.B) { benchmarkWorkerhostSteps(b, tc.wait) })
	}
}

func benchmarkWorkerhostSteps(b *testing.B, wait time.Duration) {
	ctx := context.Background()
	var handshake, load, first, warm time.Duration
	for b.Loop() {
		start := time.Now()
		c, lc := startWorkerhost(b)
		handshake += time.Since(start)
		b.StopTimer()
		time.Sleep(wait)
		b.StartTimer()

		start = time.Now()
		req := &whpb.LoadRequest{Namespace: "bench", Code: childProto()}
		if _, err := lc.Call(ctx, workerhost.LinkLoad, req, new(whpb.LoadResponse)); err != nil {
			b.Fatal(err)
		}
		load += time.Since(start)

		for _, d := range []*time.Duration{&first, &warm} {
			start = time.Now()
			req := &pb.CallRequest{Target: &pb.Target{}, Method: "ping"}
			if _, err := lc.Call(ctx, workerhost.LinkCall, req, new(pb.CallResponse)); err != nil {
				b.Fatal(err)
			}
			*d += time.Since(start)
		}
		b.StopTimer()
		c.Kill()
		b.StartTimer()
	}
	n := float64(b.N) * float64(time.Millisecond)
	b.ReportMetric(float64(handshake)/n, "handshake-ms/op")
	b.ReportMetric(float64(load)/n, "load-ms/op")
	b.ReportMetric(float64(first)/n, "first-call-ms/op")
	b.ReportMetric(float64(warm)/n, "warm-call-ms/op")
}

// startWorkerhost starts this test binary as a workerhost with go-plugin
// and returns the go-plugin client and the link to the child. The link
// serves none of the child's requests.
func startWorkerhost(b *testing.B) (*plugin.Client, *link.Conn) {
	linkConn, linkEnd := benchSocketPair(b)
	lc := link.New(linkConn, link.Options{Odd: true})
	b.Cleanup(func() { lc.Close() })

	cmd := exec.Command(os.Args[0], "workerhost")
	cmd.ExtraFiles = []*os.File{linkEnd}
	c := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  workerhost.Handshake,
		Plugins:          plugin.PluginSet{workerhost.PluginName: &workerhost.Plugin{}},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		SkipHostEnv:      true,
		Cmd:              cmd,
		Logger:           hclog.NewNullLogger(),
	})
	b.Cleanup(c.Kill)
	_, err := c.Client()
	linkEnd.Close()
	if err != nil {
		b.Fatal(err)
	}
	return c, lc
}

// benchSocketPair returns our end of a Unix socket pair as a connection and
// the child's end as a file.
func benchSocketPair(b *testing.B) (net.Conn, *os.File) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "ours"), os.NewFile(uintptr(fds[1]), "theirs")
	conn, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		b.Fatal(err)
	}
	return conn, theirs
}

func newBenchSupervisor(b *testing.B, pool int) *supervisor.Supervisor {
	b.Helper()
	s, err := supervisor.New(supervisor.Config{WarmPool: pool})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

// nopHost is an engine.Host for a worker that reaches nothing outside.
type nopHost struct{}

func (nopHost) Log(level, message string) {}

func (nopHost) Fetch(context.Context, *http.Request) (*http.Response, error) {
	return nil, io.ErrUnexpectedEOF
}

func (nopHost) LoaderGet(context.Context, string, string) (string, string, error) {
	return "", "", io.ErrUnexpectedEOF
}

func (nopHost) LoaderProvide(context.Context, string, *pb.WorkerCode, *pb.ErrorValue) (string, error) {
	return "", io.ErrUnexpectedEOF
}

func (nopHost) LoaderLoad(context.Context, string, *pb.WorkerCode) (string, error) {
	return "", io.ErrUnexpectedEOF
}

func (nopHost) FetchWorker(context.Context, *pb.Target, *http.Request) (*http.Response, error) {
	return nil, io.ErrUnexpectedEOF
}

func (nopHost) CallWorker(context.Context, *pb.Target, string, []*pb.Value) (*pb.Value, error) {
	return nil, io.ErrUnexpectedEOF
}

var _ engine.Host = nopHost{}
