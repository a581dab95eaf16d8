package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/sandbox"
	"github.com/dynworker/dynworker/workerhost"
)

// hostHandshakeTimeout bounds how long the Host server waits for a child's
// connection preface; a child connects as soon as it starts.
var hostHandshakeTimeout = 2 * time.Minute

// stopTimeout bounds how long Stop waits for a workerhost to exit after
// asking it to, before killing it.
const stopTimeout = 2 * time.Second

// process is one workerhost child. It starts blank, so it can wait in the
// warm pool, and gets its worker's code from load.
type process struct {
	sup     *Supervisor
	client  *plugin.Client
	runner  *sandbox.Runner
	stderr  *stderrLog
	rpc     whpb.WorkerClient
	host    *hostServer
	hostSrv *grpc.Server
	// link carries calls and fetches to and from the child.
	link *link.Conn

	mu      sync.Mutex
	worker  *loader.Worker
	exports []*whpb.Export
	// grants are the parents' ends of the direct links to this worker,
	// duplicated.
	grants []*os.File
	// drained is set when the worker agreed to stop as idle.
	drained bool
}

var _ loader.Instance = (*process)(nil)

// spawn starts a blank workerhost and waits for its go-plugin handshake.
func (s *Supervisor) spawn() (p *process, err error) {
	p = &process{sup: s, stderr: newStderrLog()}
	hostEnd, err := p.serveHost()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			p.hostSrv.Stop()
		}
	}()
	linkEnd, err := p.openLink()
	if err != nil {
		hostEnd.Close()
		return nil, err
	}
	defer func() {
		if err != nil {
			p.link.Close()
		}
	}()
	childEnds := []*os.File{hostEnd, linkEnd}
	defer func() {
		for _, f := range childEnds {
			f.Close()
		}
	}()

	p.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  workerhost.Handshake,
		Plugins:          plugin.PluginSet{workerhost.PluginName: &workerhost.Plugin{}},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		SkipHostEnv:      true,
		Logger:           newPluginLogger(s.log),
		Stderr:           p.stderr,
		GRPCDialOptions:  []grpc.DialOption{grpc.WithDefaultCallOptions(workerhost.CallOptions()...)},
		RunnerFunc: func(_ hclog.Logger, cmd *exec.Cmd, _ string) (runner.Runner, error) {
			args := append(slices.Clone(s.args), "--memory-limit", strconv.FormatInt(s.memoryLimit, 10))
			r, err := sandbox.NewRunner(s.exe, args, cmd.Env, childEnds)
			p.runner = r
			return r, err
		},
	})
	rpcClient, err := p.client.Client()
	if err != nil {
		p.client.Kill()
		return nil, fmt.Errorf("start workerhost: %w", err)
	}
	raw, err := rpcClient.Dispense(workerhost.PluginName)
	if err != nil {
		p.client.Kill()
		return nil, fmt.Errorf("start workerhost: %w", err)
	}
	p.rpc = raw.(whpb.WorkerClient)
	return p, nil
}

// socketPair returns our end of a new Unix socket pair as a connection and
// the child's end as a file.
func socketPair(name string) (net.Conn, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s socket: %w", name, err)
	}
	ours := os.NewFile(uintptr(fds[0]), name)
	theirs := os.NewFile(uintptr(fds[1]), name+"-child")
	conn, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		theirs.Close()
		return nil, nil, fmt.Errorf("create %s socket: %w", name, err)
	}
	return conn, theirs, nil
}

// openLink creates the link's socket pair and starts our side of it. It
// returns the child's end.
func (p *process) openLink() (*os.File, error) {
	conn, theirs, err := socketPair("link")
	if err != nil {
		return nil, err
	}
	p.link = link.New(conn, link.Options{Odd: true, Handler: p.host.serveLink, MaxMessageSize: workerhost.MaxMessageSize})
	return theirs, nil
}

// serveHost creates the socket pair of the Host service and serves the
// supervisor's end. It returns the child's end.
func (p *process) serveHost() (*os.File, error) {
	conn, theirs, err := socketPair("host")
	if err != nil {
		return nil, err
	}

	p.host = &hostServer{sup: p.sup, proc: p, outboundSlots: make(chan struct{}, maxOutboundPerWorker)}
	p.hostSrv = grpc.NewServer(
		grpc.MaxRecvMsgSize(workerhost.MaxMessageSize),
		grpc.MaxSendMsgSize(workerhost.MaxMessageSize),
		grpc.ConnectionTimeout(hostHandshakeTimeout),
	)
	whpb.RegisterHostServer(p.hostSrv, p.host)
	go func() { _ = p.hostSrv.Serve(newConnListener(conn)) }()
	return theirs, nil
}

// load gives the blank process the code of w.
func (p *process) load(ctx context.Context, w *loader.Worker, code *pb.WorkerCode) error {
	p.mu.Lock()
	p.worker = w
	p.mu.Unlock()
	key := bundleKey(w.Namespace, code)
	resp, err := p.rpc.Load(ctx, &whpb.LoadRequest{
		Namespace: w.Namespace,
		WorkerId:  w.ID,
		Code:      code,
		Bindings:  w.Bindings,
		Bundle:    p.sup.bundles.get(key),
	})
	if err != nil {
		return p.callError(err)
	}
	if resp.Bundle != "" {
		p.sup.bundles.put(key, resp.Bundle)
	}
	p.exports = resp.Exports
	go p.watch(w)
	return nil
}

// watch records why the process stopped, once it has.
func (p *process) watch(w *loader.Worker) {
	<-p.runner.Done()
	p.revokeGrants()
	reason := p.exitReason()
	if w.Running() == nil && w.StopReason() != "evicted" {
		w.SetStopReason(reason)
		p.sup.log.Warn("workerhost stopped", "worker", workerName(w), "pid", p.pid(), "err", reason)
	}
}

// exitWait bounds how long callError waits for a child whose connection
// broke to be reaped, so the error can report how it exited.
const exitWait = time.Second

// callError converts an error from a call to the child. When the child has
// exited, its exit explains more than a broken connection does.
func (p *process) callError(err error) error {
	code := status.Code(err)
	err = rpcerr.FromStatus(err)
	var se *rpcerr.ScriptError
	if errors.As(err, &se) {
		return err
	}
	wait := time.Duration(0)
	if code == codes.Unavailable || code == codes.Canceled || code == codes.Internal {
		wait = exitWait
	}
	select {
	case <-p.runner.Done():
	case <-time.After(wait):
		return err
	}
	w := p.currentWorker()
	if w.StopReason() == "evicted" {
		return fmt.Errorf("worker %s was evicted during the call: %w", workerName(w), ErrWorkerExited)
	}
	return fmt.Errorf("worker %s: workerhost process %d exited (%s): %w",
		workerName(w), p.pid(), p.exitReason(), ErrWorkerExited)
}

// exitReason returns how the process ended, once it has.
func (p *process) exitReason() string {
	reason := "exited"
	if err := p.runner.ExitErr(); err != nil {
		reason = err.Error()
	}
	if fatal := p.stderr.fatal(); strings.Contains(fatal, "out of memory") {
		reason += fmt.Sprintf(", out of memory: the worker used more than its limit of %d MiB", p.sup.memoryLimit>>20)
	} else if fatal != "" {
		reason += ": " + fatal
	}
	return reason
}

func (p *process) currentWorker() *loader.Worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.worker == nil {
		return &loader.Worker{ID: "(none)"}
	}
	return p.worker
}

// Done is closed when the process has exited.
func (p *process) Done() <-chan struct{} { return p.runner.Done() }

// Stop requests the process to exit, kills it after stopTimeout, and waits.
func (p *process) Stop() {
	p.host.failPending()
	p.revokeGrants()
	p.client.Kill()
	p.hostSrv.Stop()
	p.link.Close()
	select {
	case <-p.runner.Done():
	case <-time.After(stopTimeout):
		_ = p.runner.Kill(context.Background())
		<-p.runner.Done()
	}
}

func (p *process) pid() int { return p.runner.PID() }
