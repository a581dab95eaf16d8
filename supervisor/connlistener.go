package supervisor

import (
	"net"
	"sync"
)

// connListener is a net.Listener that returns one connection, then blocks
// until closed: a gRPC server on a socket pair.
type connListener struct {
	conn     net.Conn
	once     sync.Once
	closed   chan struct{}
	mu       sync.Mutex
	accepted bool
}

func newConnListener(c net.Conn) *connListener {
	return &connListener{conn: c, closed: make(chan struct{})}
}

func (l *connListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.accepted {
		l.accepted = true
		l.mu.Unlock()
		return l.conn, nil
	}
	l.mu.Unlock()
	<-l.closed
	return nil, net.ErrClosed
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.conn.LocalAddr() }
