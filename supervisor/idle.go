package supervisor

import (
	"time"

	"github.com/dynworker/dynworker/loader"
)

// DefaultIdleTimeout is how long a worker may go without calls before its
// process is stopped, when Config.IdleTimeout is zero.
const DefaultIdleTimeout = 5 * time.Minute

// sweepIdle stops the processes of idle workers until stop is closed. A
// named worker keeps its code, so its next call starts it again. An
// anonymous worker is forgotten, because workerd ties its life to a stub
// whose collection dynworker cannot observe. Parent workers are never swept.
func (s *Supervisor) sweepIdle(stop <-chan struct{}) {
	interval := max(s.idleTimeout/4, 10*time.Millisecond)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.evictIdle(time.Now().Add(-s.idleTimeout))
		}
	}
}

func (s *Supervisor) evictIdle(cutoff time.Time) {
	for _, w := range s.loader.Workers() {
		if w.Namespace == ParentNamespace {
			continue
		}
		last, idle := w.IdleSince()
		if !idle || last.After(cutoff) {
			continue
		}
		if w.ID == "" {
			s.forgetAnonymous(w)
			continue
		}
		if w.Evict() {
			s.log.Debug("worker evicted as idle", "worker", workerName(w), "namespace", w.Namespace)
		}
	}
}

// forgetAnonymous drops an idle anonymous worker and every handle to it.
func (s *Supervisor) forgetAnonymous(w *loader.Worker) {
	s.mu.Lock()
	for h, hw := range s.handles {
		if hw == w {
			delete(s.handles, h)
		}
	}
	s.mu.Unlock()
	s.loader.Release(w)
	s.log.Debug("anonymous worker released as idle", "namespace", w.Namespace)
}
