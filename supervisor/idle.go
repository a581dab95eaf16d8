package supervisor

import (
	"time"

	"github.com/dynworker/dynworker/loader"
)

// DefaultIdleTimeout is how long a worker may go without calls before its
// process is stopped, when Config.IdleTimeout is zero.
const DefaultIdleTimeout = 5 * time.Minute

// anonymousIdleTimeout is the longest an anonymous worker may go without
// calls before it is released. It is short, because a parent that calls
// load() per request would otherwise keep a process per request. workerd
// releases such a worker when its stub is collected.
const anonymousIdleTimeout = 30 * time.Second

// sweepIdle stops the processes of idle workers until stop is closed. A
// named worker keeps its code, so its next call starts it again. An
// anonymous worker is forgotten, because workerd ties its life to a stub
// whose collection dynworker cannot observe. Parent workers are never swept.
func (s *Supervisor) sweepIdle(stop <-chan struct{}) {
	interval := max(min(s.idleTimeout, anonymousIdleTimeout)/4, 10*time.Millisecond)
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
	anonymousCutoff := cutoff
	if c := time.Now().Add(-anonymousIdleTimeout); c.After(cutoff) {
		anonymousCutoff = c
	}
	for _, w := range s.loader.Workers() {
		if w.Namespace == ParentNamespace {
			continue
		}
		last, idle := w.IdleSince()
		if !idle {
			continue
		}
		if w.ID == "" {
			if last.Before(anonymousCutoff) && s.drained(w, anonymousIdleTimeout) {
				s.forgetAnonymous(w)
			}
			continue
		}
		if last.After(cutoff) || !s.drained(w, s.idleTimeout) {
			continue
		}
		if w.Evict() {
			s.log.Debug("worker evicted as idle", "worker", workerName(w), "namespace", w.Namespace)
		}
	}
}

// forgetAnonymous drops an idle anonymous worker and every handle to it.
func (s *Supervisor) forgetAnonymous(w *loader.Worker) {
	s.handles.removeWorker(w)
	s.loader.Release(w)
	s.log.Debug("anonymous worker released as idle", "namespace", w.Namespace)
}
