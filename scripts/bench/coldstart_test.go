package main

// These benchmarks split dynworker's cold start into its parts, for pprof
// and benchstat. The program in main.go measures the whole path against
// workerd; these run the supervisor and the engine in this test process,
// so -cpuprofile sees them:
//
//	go test -run '^$' -bench . -count 6 ./scripts/bench | tee new.txt
//	go test -run '^$' -bench EngineStart -cpuprofile cpu.out ./scripts/bench
//	go tool pprof -top -cum cpu.out

import (
	"context"
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
	"google.golang.org/grpc"

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

// BenchmarkEngineStart measures what a workerhost does between receiving
// the code and answering the first call: bundle, compile, install the web
// APIs, evaluate the module and call ping.
func BenchmarkEngineStart(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		e, err := engine.New(engine.Config{Code: childProto(), Host: nopHost{}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Exports(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Call(ctx, "", nil, "ping", nil); err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkEngineCall measures one warm RPC call inside the engine, without
// any process hop.
func BenchmarkEngineCall(b *testing.B) {
	ctx := context.Background()
	e, err := engine.New(engine.Config{Code: childProto(), Host: nopHost{}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		if _, err := e.Call(ctx, "", nil, "ping", nil); err != nil {
			b.Fatal(err)
		}
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
// supervisor does, and reports each step of a cold start in milliseconds:
// process start and go-plugin handshake, the Load call (bundle, compile and
// evaluate in a fresh process), the first call and a second, warm call.
func BenchmarkWorkerhostSteps(b *testing.B) {
	ctx := context.Background()
	var handshake, load, first, warm time.Duration
	for b.Loop() {
		start := time.Now()
		c, rpc := startWorkerhost(b)
		handshake += time.Since(start)

		start = time.Now()
		if _, err := rpc.Load(ctx, &whpb.LoadRequest{Namespace: "bench", Code: childProto()}); err != nil {
			b.Fatal(err)
		}
		load += time.Since(start)

		for _, d := range []*time.Duration{&first, &warm} {
			start = time.Now()
			if _, err := rpc.Call(ctx, &pb.CallRequest{Target: &pb.Target{}, Method: "ping"}); err != nil {
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

// startWorkerhost starts this test binary as a workerhost with go-plugin,
// with a Host service that implements nothing on the other end of its
// socket pair.
func startWorkerhost(b *testing.B) (*plugin.Client, whpb.WorkerClient) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "host"), os.NewFile(uintptr(fds[1]), "host-child")
	conn, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer()
	whpb.RegisterHostServer(srv, whpb.UnimplementedHostServer{})
	go func() { _ = srv.Serve(&oneConnListener{conn: conn, done: make(chan struct{})}) }()
	b.Cleanup(srv.Stop)

	cmd := exec.Command(os.Args[0], "workerhost")
	cmd.ExtraFiles = []*os.File{theirs}
	c := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  workerhost.Handshake,
		Plugins:          plugin.PluginSet{workerhost.PluginName: &workerhost.Plugin{}},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		SkipHostEnv:      true,
		Cmd:              cmd,
		Logger:           hclog.NewNullLogger(),
	})
	b.Cleanup(c.Kill)
	rpcClient, err := c.Client()
	theirs.Close()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := rpcClient.Dispense(workerhost.PluginName)
	if err != nil {
		b.Fatal(err)
	}
	return c, raw.(whpb.WorkerClient)
}

// oneConnListener is a net.Listener that accepts one connection and then
// blocks until closed.
type oneConnListener struct {
	conn net.Conn
	done chan struct{}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	if c := l.conn; c != nil {
		l.conn = nil
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	select {
	case <-l.done:
	default:
		close(l.done)
	}
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return &net.UnixAddr{Name: "host", Net: "unix"} }

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
