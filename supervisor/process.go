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

// stopTimeout bounds how long Stop waits for a workerhost to exit after
// asking it to, before killing it.
const stopTimeout = 2 * time.Second

// process is one workerhost child. It starts blank, so it can wait in the
// warm pool, and gets its worker's code from load.
type process struct {
	sup    *Supervisor
	client *plugin.Client
	runner *sandbox.Runner
	stderr *stderrLog
	// rpc is the go-plugin client of the Worker service, for Ready and Test.
	rpc whpb.WorkerClient
	// host serves the child's requests on link, which carries every other
	// request to and from the child.
	host *hostServer
	link *link.Conn

	mu      sync.Mutex
	worker  *loader.Worker
	exports []*whpb.Export
	// grants are the worker's ends of its direct links from parents,
	// duplicated.
	grants []*os.File
	// drained is set when the worker agreed to stop as idle.
	drained bool
}

var _ loader.Instance = (*process)(nil)

// spawn starts a blank workerhost and waits for its go-plugin handshake.
func (s *Supervisor) spawn() (p *process, err error) {
	p = &process{sup: s, stderr: newStderrLog()}
	p.host = newHostServer(p)
	linkEnd, err := p.openLink()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			p.link.Close()
		}
	}()
	childEnds := []*os.File{linkEnd}
	defer linkEnd.Close()

	p.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  workerhost.Handshake,
		Plugins:          plugin.PluginSet{workerhost.PluginName: &workerhost.Plugin{}},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		SkipHostEnv:      true,
		Logger:           newPluginLogger(s.log),
		Stderr:           p.stderr,
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

// load gives the blank process the code of w.
func (p *process) load(ctx context.Context, w *loader.Worker, code *pb.WorkerCode) error {
	p.mu.Lock()
	p.worker = w
	p.mu.Unlock()
	key := bundleKey(w.Namespace, code)
	req := &whpb.LoadRequest{
		Namespace: w.Namespace,
		WorkerId:  w.ID,
		Code:      code,
		Bindings:  w.Bindings,
		Bundle:    p.sup.bundles.get(key),
	}
	resp := new(whpb.LoadResponse)
	if _, err := p.link.Call(ctx, workerhost.LinkLoad, req, resp); err != nil {
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
	p.link.Close()
	select {
	case <-p.runner.Done():
	case <-time.After(stopTimeout):
		_ = p.runner.Kill(context.Background())
		<-p.runner.Done()
	}
}

func (p *process) pid() int { return p.runner.PID() }
