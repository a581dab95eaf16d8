package loader

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// Worker is loaded code with its identity. Its instance is started on first
// use, and started again after it stops, from the same code.
type Worker struct {
	Namespace string
	// ID is empty for an anonymous worker.
	ID       string
	Bindings []*whpb.Binding
	Created  time.Time

	loader *Loader
	ready  chan struct{} // closed once code or err is set
	code   *pb.WorkerCode
	err    error

	lastUsed atomic.Int64 // Unix nanoseconds of the last Acquire or Release
	active   atomic.Int32 // calls in progress
	calls    atomic.Int64
	released atomic.Bool // set once the loader has forgotten the worker

	mu       sync.Mutex
	inst     Instance
	starting chan struct{} // not nil while a start runs
	failure  error         // a permanent start failure
	stopped  string        // reason the last instance stopped
}

func newWorker(l *Loader, namespace, id string, bindings []*whpb.Binding) *Worker {
	return &Worker{
		Namespace: namespace,
		ID:        id,
		Bindings:  bindings,
		Created:   time.Now(),
		loader:    l,
		ready:     make(chan struct{}),
	}
}

// Provide sets the code of a worker returned by Lookup with provide == true,
// or records why there is none (the getCode callback failed). Invalid code
// fails the worker with the validation error, which Provide also returns.
// As in workerd, a failure sticks to the worker ID: later lookups of the ID
// return the failed worker and never ask for code again.
func (w *Worker) Provide(code *pb.WorkerCode, codeErr error) error {
	if codeErr == nil {
		codeErr = Validate(code)
	}
	w.setCode(code, codeErr)
	return codeErr
}

func (w *Worker) setCode(code *pb.WorkerCode, err error) {
	w.code, w.err = code, err
	close(w.ready)
}

// Code waits for the worker's code and returns it, or the reason it has none.
func (w *Worker) Code(ctx context.Context) (*pb.WorkerCode, error) {
	select {
	case <-w.ready:
		return w.code, w.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Instance returns the running instance, starting one when there is none.
// Concurrent callers share one start. A cancelled ctx stops the wait but not
// a start already under way, which other callers may be waiting for.
func (w *Worker) Instance(ctx context.Context) (Instance, error) {
	if _, err := w.Code(ctx); err != nil {
		return nil, err
	}
	w.mu.Lock()
	for {
		if w.failure != nil {
			w.mu.Unlock()
			return nil, w.failure
		}
		if w.inst != nil && !stopped(w.inst) {
			inst := w.inst
			w.mu.Unlock()
			return inst, nil
		}
		if w.starting == nil {
			break
		}
		wait := w.starting
		w.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		w.mu.Lock()
	}
	w.starting = make(chan struct{})
	w.mu.Unlock()

	inst, err := w.loader.start(context.WithoutCancel(ctx), w)

	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.starting)
	w.starting = nil
	if err != nil {
		if isPermanent(err) {
			w.failure = err
		}
		return nil, err
	}
	w.inst = inst
	return inst, nil
}

// Acquire marks the start of a call, which keeps the worker from being
// evicted as idle until the matching Release.
func (w *Worker) Acquire() {
	w.active.Add(1)
	w.calls.Add(1)
	w.lastUsed.Store(time.Now().UnixNano())
}

// Release marks the end of a call started with Acquire.
func (w *Worker) Release() {
	w.lastUsed.Store(time.Now().UnixNano())
	w.active.Add(-1)
}

// IdleSince returns when the worker was last used and whether it is idle
// now, with no call in progress.
func (w *Worker) IdleSince() (time.Time, bool) {
	last := w.lastUsed.Load()
	if last == 0 {
		last = w.Created.UnixNano()
	}
	return time.Unix(0, last), w.active.Load() == 0
}

// Released reports whether the loader has forgotten the worker: it was
// released, or the loader closed.
func (w *Worker) Released() bool { return w.released.Load() }

// Calls returns how many calls the worker has received.
func (w *Worker) Calls() int64 { return w.calls.Load() }

// Evict stops the worker's instance, if any, and waits for it to stop. The
// worker itself stays: its next use starts a new instance from its code.
func (w *Worker) Evict() bool {
	w.mu.Lock()
	inst := w.inst
	w.inst = nil
	if inst != nil {
		w.stopped = "evicted"
	}
	w.mu.Unlock()
	if inst == nil {
		return false
	}
	inst.Stop()
	return true
}

// Running returns the current instance, or nil when none is running.
func (w *Worker) Running() Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inst == nil || stopped(w.inst) {
		return nil
	}
	return w.inst
}

// StopReason returns the reason the last instance stopped, or "" when none
// has stopped.
func (w *Worker) StopReason() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped
}

// SetStopReason records why the current instance stopped.
func (w *Worker) SetStopReason(reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = reason
}

func stopped(inst Instance) bool {
	select {
	case <-inst.Done():
		return true
	default:
		return false
	}
}
