package supervisor

import (
	"sync"

	"github.com/dynworker/dynworker/loader"
)

// handleTable maps the handles issued to one holder (a host app's
// connection or a child) to workers. A holder gets one handle per worker,
// however often it looks the worker up, so a parent that calls
// LOADER.get() on every request does not add a handle each time. Its
// methods are safe for concurrent use.
type handleTable struct {
	mu       sync.Mutex
	byHandle map[string]*loader.Worker
	byWorker map[*loader.Worker]string
}

// issue returns the handle of w, issuing one on first use.
func (t *handleTable) issue(w *loader.Worker) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h, ok := t.byWorker[w]; ok {
		return h
	}
	if t.byHandle == nil {
		t.byHandle = make(map[string]*loader.Worker)
		t.byWorker = make(map[*loader.Worker]string)
	}
	h := newID()
	t.byHandle[h] = w
	t.byWorker[w] = h
	if len(t.byHandle)%64 == 0 {
		t.purgeReleasedLocked()
	}
	return h
}

// lookup returns the worker of handle h, or nil.
func (t *handleTable) lookup(h string) *loader.Worker {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.byHandle[h]
}

// remove drops handle h and returns its worker, or nil.
func (t *handleTable) remove(h string) *loader.Worker {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.byHandle[h]
	if w != nil {
		delete(t.byHandle, h)
		delete(t.byWorker, w)
	}
	return w
}

// removeWorker drops the handle of w, if any.
func (t *handleTable) removeWorker(w *loader.Worker) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h, ok := t.byWorker[w]; ok {
		delete(t.byHandle, h)
		delete(t.byWorker, w)
	}
}

// purgeReleasedLocked drops handles to workers the loader has forgotten,
// such as idle anonymous workers, so a parent that loads a worker per
// request does not keep every one's code alive.
func (t *handleTable) purgeReleasedLocked() {
	for h, w := range t.byHandle {
		if w.Released() {
			delete(t.byHandle, h)
			delete(t.byWorker, w)
		}
	}
}
