package loader

import (
	"context"
	"errors"
	"sync"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// Instance is a started worker: the process that serves its calls.
type Instance interface {
	// Done is closed when the instance has stopped.
	Done() <-chan struct{}
	// Stop stops the instance and waits until it has stopped.
	Stop()
}

// StartFunc starts an instance of w. An error that should stick to the
// worker, because starting again would fail the same way (the module's top
// level threw, for example), is marked with Permanent.
type StartFunc func(ctx context.Context, w *Worker) (Instance, error)

// Loader holds the workers of every namespace. Its methods are safe for
// concurrent use.
type Loader struct {
	start StartFunc

	mu     sync.Mutex
	named  map[workerKey]*Worker
	all    map[*Worker]struct{}
	closed bool
}

type workerKey struct{ namespace, id string }

// New returns a Loader that starts workers with start.
func New(start StartFunc) *Loader {
	return &Loader{
		start: start,
		named: make(map[workerKey]*Worker),
		all:   make(map[*Worker]struct{}),
	}
}

// Lookup returns the worker with id in namespace. When none exists, Lookup
// creates one that waits for its code and returns provide == true: the caller
// must then call Provide on it exactly once. Every other caller gets
// provide == false, even while the code is still on its way.
func (l *Loader) Lookup(namespace, id string, bindings []*whpb.Binding) (w *Worker, provide bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, false, ErrClosed
	}
	k := workerKey{namespace, id}
	if w := l.named[k]; w != nil {
		return w, false, nil
	}
	w = newWorker(l, namespace, id, bindings)
	l.named[k] = w
	l.all[w] = struct{}{}
	return w, true, nil
}

// Find returns the worker with id in namespace, or ErrWorkerNotFound.
func (l *Loader) Find(namespace, id string) (*Worker, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.named[workerKey{namespace, id}]; w != nil {
		return w, nil
	}
	return nil, ErrWorkerNotFound
}

// Load creates an anonymous worker from code. It validates code first and
// returns the validation error without creating a worker.
func (l *Loader) Load(namespace string, code *pb.WorkerCode, bindings []*whpb.Binding) (*Worker, error) {
	if err := Validate(code); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ErrClosed
	}
	w := newWorker(l, namespace, "", bindings)
	w.setCode(code, nil)
	l.all[w] = struct{}{}
	return w, nil
}

// Workers returns every worker, named and anonymous.
func (l *Loader) Workers() []*Worker {
	l.mu.Lock()
	defer l.mu.Unlock()
	list := make([]*Worker, 0, len(l.all))
	for w := range l.all {
		list = append(list, w)
	}
	return list
}

// Release removes w from the loader and stops its instance. A named worker can be looked up
// again afterwards and then needs its code again.
func (l *Loader) Release(w *Worker) {
	l.forget(w)
	w.Evict()
}

// Close stops every instance and rejects later lookups. It waits for the
// instances to stop.
func (l *Loader) Close() {
	l.mu.Lock()
	l.closed = true
	all := l.all
	l.all = make(map[*Worker]struct{})
	l.named = make(map[workerKey]*Worker)
	l.mu.Unlock()

	var wg sync.WaitGroup
	for w := range all {
		wg.Go(func() { w.Evict() })
	}
	wg.Wait()
}

// forget removes w from the tables if it is still there.
func (l *Loader) forget(w *Worker) {
	w.released.Store(true)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.all, w)
	k := workerKey{w.Namespace, w.ID}
	if w.ID != "" && l.named[k] == w {
		delete(l.named, k)
	}
}

// PermanentError marks a start failure that sticks to the worker.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as a failure that starting again would repeat.
func Permanent(err error) error { return &PermanentError{Err: err} }

func isPermanent(err error) bool {
	var pe *PermanentError
	return errors.As(err, &pe)
}
