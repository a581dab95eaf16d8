package supervisor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/sandbox"
)

// Config configures a Supervisor.
type Config struct {
	// Executable is the program started as a workerhost. Default: this
	// process's own executable.
	Executable string
	// Args are the arguments that make Executable run as a workerhost.
	// Default: ["workerhost"].
	Args []string
	// Logger receives the supervisor's log and the workers' console output.
	// Default: discard.
	Logger *slog.Logger
	// WarmPool is how many started, blank workerhosts to keep ready, so a
	// new worker skips the process start. Default 0.
	WarmPool int
	// IdleTimeout is how long a worker may go without calls before its
	// process stops. Default DefaultIdleTimeout.
	IdleTimeout time.Duration
	// AllowPrivateNetwork lets workers' fetch() reach loopback, private and
	// link-local addresses. Default false: only public addresses.
	AllowPrivateNetwork bool
	// MemoryLimit caps each workerhost's memory, in bytes above what the
	// process uses when it starts. Default DefaultMemoryLimit.
	MemoryLimit int64
}

// DefaultMemoryLimit is the memory cap of a workerhost when
// Config.MemoryLimit is zero.
const DefaultMemoryLimit = 1 << 30

// Supervisor owns the loader, the workerhost processes and the handles that
// reach them. Its methods are safe for concurrent use.
type Supervisor struct {
	exe            string
	args           []string
	log            *slog.Logger
	loader         *loader.Loader
	pool           *pool
	bundles        *bundleCache
	outboundClient *http.Client

	idleTimeout time.Duration
	memoryLimit int64
	stopSweep   chan struct{}
	sweepDone   chan struct{}

	handles handleTable // handles issued to host apps

	mu     sync.Mutex
	closed bool
}

// New returns a Supervisor. It starts no process until a worker is used,
// except the warm pool, which it starts filling at once.
func New(cfg Config) (*Supervisor, error) {
	s := &Supervisor{
		exe:         cfg.Executable,
		args:        cfg.Args,
		log:         cfg.Logger,
		memoryLimit: orDefault(cfg.MemoryLimit, DefaultMemoryLimit),
		idleTimeout: orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
	}
	if s.exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find workerhost executable: %w", err)
		}
		s.exe = exe
	}
	if s.args == nil {
		s.args = []string{"workerhost"}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := sandbox.CloseOnExec(); err != nil {
		s.log.Warn("mark inherited descriptors close-on-exec", "err", err)
	}
	s.reportSandbox()

	s.bundles = newBundleCache(defaultBundleCacheSize)
	s.outboundClient = newOutboundClient(cfg.AllowPrivateNetwork)
	s.loader = loader.New(s.startWorker)
	s.pool = newPool(s, cfg.WarmPool)

	s.stopSweep, s.sweepDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.sweepDone)
		s.sweepIdle(s.stopSweep)
	}()
	return s, nil
}

// orDefault returns v, or def when v is zero or negative.
func orDefault[T int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Close stops every worker process and the warm pool, and waits for them.
// It is safe to call more than once.
func (s *Supervisor) Close() {
	s.mu.Lock()
	wasClosed := s.closed
	s.closed = true
	s.mu.Unlock()
	if wasClosed {
		return
	}
	close(s.stopSweep)
	<-s.sweepDone
	s.pool.close()
	s.loader.Close()
}

// Get returns a handle to the worker with id in namespace. When the worker is
// not loaded, Get calls getCode once for the code, even when callers race.
// With getCode nil, Get returns an error wrapping loader.ErrWorkerNotFound.
func (s *Supervisor) Get(ctx context.Context, namespace, id string, getCode func(context.Context) (*pb.WorkerCode, error)) (string, error) {
	w, err := s.getWorker(ctx, namespace, id, nil, getCode)
	if err != nil {
		return "", err
	}
	return s.issue(w), nil
}

func (s *Supervisor) getWorker(ctx context.Context, namespace, id string, bindings []*whpb.Binding, getCode func(context.Context) (*pb.WorkerCode, error)) (*loader.Worker, error) {
	if id == "" {
		return nil, rpcerr.Errorf(codes.InvalidArgument, "get worker: worker ID is empty: use Load for an anonymous worker")
	}
	if getCode == nil {
		w, err := s.loader.Find(namespace, id)
		if err != nil {
			return nil, rpcerr.WithCode(codes.NotFound, fmt.Errorf("get worker %q in namespace %q: %w: send its code", id, namespace, err))
		}
		return w, nil
	}
	w, provide, err := s.loader.Lookup(namespace, id, bindings)
	if err != nil {
		return nil, err
	}
	if provide {
		code, err := getCode(ctx)
		if perr := w.Provide(code, err); perr != nil {
			return nil, perr
		}
	}
	if _, err := w.Code(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// Load starts an anonymous worker from code and returns its handle, which
// lives until Release.
func (s *Supervisor) Load(ctx context.Context, namespace string, code *pb.WorkerCode) (string, error) {
	w, err := s.loader.Load(namespace, code, nil)
	if err != nil {
		return "", err
	}
	return s.issue(w), nil
}

// Release drops a handle returned by Load and stops its anonymous worker.
// A handle to a named worker stays valid: host apps that get the same
// worker share its handle. Releasing twice is not an error.
func (s *Supervisor) Release(handle string) {
	w := s.handles.lookup(handle)
	if w == nil || w.ID != "" {
		return
	}
	s.handles.remove(handle)
	s.loader.Release(w)
}

// Worker returns the worker a host-app handle refers to.
func (s *Supervisor) Worker(handle string) (*loader.Worker, error) {
	w := s.handles.lookup(handle)
	if w == nil {
		return nil, rpcerr.WithCode(codes.NotFound, fmt.Errorf("worker handle %q: %w", shorten(handle), loader.ErrHandleNotFound))
	}
	return w, nil
}

// Workers returns every loaded worker.
func (s *Supervisor) Workers() []*loader.Worker {
	return s.loader.Workers()
}

// Evict stops the process of the worker with id in namespace. A later call
// starts it again from its cached code.
func (s *Supervisor) Evict(namespace, id string) (bool, error) {
	w, err := s.loader.Find(namespace, id)
	if err != nil {
		return false, rpcerr.WithCode(codes.NotFound, fmt.Errorf("evict worker %q in namespace %q: %w", id, namespace, err))
	}
	return w.Evict(), nil
}

func (s *Supervisor) issue(w *loader.Worker) string { return s.handles.issue(w) }

// startWorker is the loader's StartFunc: it takes a blank workerhost and
// gives it the worker's code.
func (s *Supervisor) startWorker(ctx context.Context, w *loader.Worker) (loader.Instance, error) {
	code, err := w.Code(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.pool.take(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.load(ctx, w, code); err != nil {
		p.Stop()
		var se *rpcerr.ScriptError
		if errors.As(err, &se) {
			return nil, loader.Permanent(err)
		}
		return nil, err
	}
	s.log.Debug("worker started", "worker", workerName(w), "pid", p.pid())
	return p, nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// workerName names w in logs and errors: its ID, or "anonymous".
func workerName(w *loader.Worker) string {
	if w.ID == "" {
		return "anonymous"
	}
	return w.ID
}

// retryDelay paces retries of a failed process start.
func (s *Supervisor) retryDelay() <-chan time.Time {
	return time.After(time.Second)
}

// shorten cuts a value a caller sent to a length fit for an error message.
func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// reportSandbox logs which isolation layers workerhosts get, and warns
// about each one that is not applied.
func (s *Supervisor) reportSandbox() {
	var active []string
	for _, l := range sandbox.Layers() {
		if l.Active {
			active = append(active, l.Name)
			continue
		}
		s.log.Warn("sandbox layer not applied", "layer", l.Name, "reason", l.Reason)
	}
	s.log.Info("sandbox layers active", "layers", active)
}
