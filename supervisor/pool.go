package supervisor

import (
	"context"
	"sync"
)

// pool keeps started, blank workerhosts ready, so a new worker skips the
// process start and the go-plugin handshake.
type pool struct {
	sup  *Supervisor
	size int

	ready  chan *process
	stop   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
}

func newPool(s *Supervisor, size int) *pool {
	p := &pool{sup: s, size: size, ready: make(chan *process, max(size, 1)), stop: make(chan struct{})}
	if size > 0 {
		p.wg.Add(1)
		go p.fill()
	}
	return p
}

// take returns a blank workerhost: a ready one from the pool, else a new one.
func (p *pool) take(ctx context.Context) (*process, error) {
	select {
	case proc := <-p.ready:
		select {
		case <-proc.Done():
			// It died while waiting; start a fresh one instead.
			proc.Stop()
		default:
			return proc, nil
		}
	default:
	}
	return p.sup.spawn()
}

// fill keeps the pool full until close.
func (p *pool) fill() {
	defer p.wg.Done()
	for {
		proc, err := p.sup.spawn()
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

func (p *pool) close() {
	p.closed.Do(func() {
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
