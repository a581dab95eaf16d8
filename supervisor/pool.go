package supervisor

import (
	"context"
	"sync"
	"time"

	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// readyTimeout bounds how long the pool waits for a new workerhost to
// prepare its runtime.
const readyTimeout = 30 * time.Second

// pool keeps started, blank workerhosts ready, so a new worker skips the
// process start, the go-plugin handshake and the runtime's preparation. It
// starts filling on the first call of start, so that the processes the
// supervisor needs first, such as a parent worker's, do not compete with it.
type pool struct {
	sup  *Supervisor
	size int

	ready     chan *process // prepared processes, at most size
	stop      chan struct{}
	wg        sync.WaitGroup
	startOnce sync.Once
	closeOnce sync.Once
}

func newPool(s *Supervisor, size int) *pool {
	return &pool{sup: s, size: size, ready: make(chan *process, max(size, 1)), stop: make(chan struct{})}
}

// start begins filling the pool. Calling it again does nothing.
func (p *pool) start() {
	if p.size <= 0 {
		return
	}
	p.startOnce.Do(func() {
		p.wg.Add(1)
		go p.fill()
	})
}

// take returns a blank workerhost: a ready one from the pool, else a new one.
func (p *pool) take(ctx context.Context) (*process, error) {
	p.start()
	for {
		select {
		case proc := <-p.ready:
			select {
			case <-proc.Done():
				// It died while waiting; try the next one.
				proc.Stop()
				continue
			default:
				return proc, nil
			}
		default:
		}
		return p.sup.spawn()
	}
}

// fill keeps size prepared processes in the pool until close. It starts a
// process only when the pool has room for it.
func (p *pool) fill() {
	defer p.wg.Done()
	for {
		if !p.waitForRoom() {
			return
		}
		proc, err := p.prepared()
		if err != nil {
			p.sup.log.Error("fill warm pool", "err", err)
			select {
			case <-p.stop:
				return
			case <-p.sup.retryDelay():
			}
			continue
		}
		select {
		case p.ready <- proc:
		case <-p.stop:
			proc.Stop()
			return
		}
	}
}

// waitForRoom waits until the pool holds fewer than size processes, and
// returns false when the pool is closing.
func (p *pool) waitForRoom() bool {
	for len(p.ready) >= p.size {
		select {
		case <-p.stop:
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

// prepared starts a process and waits until its runtime is prepared.
func (p *pool) prepared() (*process, error) {
	proc, err := p.sup.spawn()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if _, err := proc.rpc.Ready(ctx, &whpb.ReadyRequest{}); err != nil {
		proc.Stop()
		return nil, proc.callError(err)
	}
	return proc, nil
}

func (p *pool) close() {
	p.closeOnce.Do(func() {
		close(p.stop)
		p.wg.Wait()
		for {
			select {
			case proc := <-p.ready:
				proc.Stop()
			default:
				return
			}
		}
	})
}
