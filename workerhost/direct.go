package workerhost

import (
	"context"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/internal/link"
	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// A parent worker calls the workers it loaded over direct links: socket
// pairs the supervisor creates on request, with one end in the parent's
// workerhost and the other in the worker's. A call on a direct link makes
// one process hop instead of two. The supervisor checks the handle before
// it grants a link, keeps a duplicate of the parent's end so it can revoke
// the link, and sends the worker a drain request before it stops it as
// idle.

// errDraining is the code of a call a worker refused because it is
// stopping. The call did not run, so the caller sends it again through the
// supervisor.
const errDraining = codes.Aborted

// connectRetry is how long a parent waits after a failed request for a
// direct link before it requests one again.
const connectRetry = time.Second

// directLinks is a parent's registry of direct links, by worker handle.
type directLinks struct {
	// connect requests from the supervisor a link to the worker behind handle.
	connect func(ctx context.Context, handle string) error

	mu    sync.Mutex
	links map[string]*directLink
}

type directLink struct {
	conn       *link.Conn // nil until the supervisor attaches one
	connecting bool
	retryAt    time.Time
	// uses counts the calls that found no link.
	uses int
}

// get returns the open direct link to the worker behind handle, or nil.
// Without one, from the second call on, it requests one from the
// supervisor in the background, so a later call can use it. A worker
// called once, as most loaded with load() are, never gets one.
func (d *directLinks) get(handle string) *link.Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.links[handle]
	if l == nil {
		d.pruneLocked()
		l = &directLink{}
		d.links[handle] = l
	}
	if l.conn != nil {
		select {
		case <-l.conn.Done():
			l.conn = nil
		default:
			return l.conn
		}
	}
	l.uses++
	if l.uses >= 2 && !l.connecting && time.Now().After(l.retryAt) {
		l.connecting = true
		go d.request(handle, l)
	}
	return nil
}

// maxLinkEntries bounds the handles a parent keeps entries for, so one
// that loads a new worker per request does not grow the map for good.
const maxLinkEntries = 1024

// pruneLocked deletes the entries of handles without a link once there are
// too many.
func (d *directLinks) pruneLocked() {
	if len(d.links) < maxLinkEntries {
		return
	}
	for handle, l := range d.links {
		if l.conn == nil && !l.connecting {
			delete(d.links, handle)
		}
	}
}

func (d *directLinks) request(handle string, l *directLink) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := d.connect(ctx, handle)
	d.mu.Lock()
	defer d.mu.Unlock()
	l.connecting = false
	if err != nil {
		l.retryAt = time.Now().Add(connectRetry)
	}
}

// attach starts a direct link on f, which the supervisor sent for handle.
// The link serves nothing: the worker at the other end cannot call back.
func (d *directLinks) attach(handle string, f *os.File) error {
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return err
	}
	c := link.New(nc, link.Options{Odd: true, MaxMessageSize: MaxMessageSize, OnFull: collectGarbage})
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.links[handle]
	if l == nil {
		l = &directLink{}
		d.links[handle] = l
	}
	if l.conn != nil {
		l.conn.Close()
	}
	l.conn = c
	return nil
}

// drop closes the direct link of handle if it is c, after a call found it
// unusable.
func (d *directLinks) drop(handle string, c *link.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if l := d.links[handle]; l != nil && l.conn == c {
		l.conn = nil
	}
	c.Close()
}

func (d *directLinks) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range d.links {
		if l.conn != nil {
			l.conn.Close()
		}
	}
}

// callDirect makes a call on the direct link to target's worker. sent
// reports whether the call may have reached the worker; when it is false,
// the caller sends the call through the supervisor instead.
func (h *hostClient) callDirect(ctx context.Context, req *pb.CallRequest) (resp *pb.CallResponse, sent bool, err error) {
	handle := req.GetTarget().GetHandle()
	c := h.direct.get(handle)
	if c == nil {
		return nil, false, nil
	}
	s, err := c.Open(ctx, LinkCall)
	if err != nil {
		return h.direct.unsent(handle, c, err)
	}
	defer s.Close()

	direct := &pb.CallRequest{Target: WorkerTarget(req.Target), Method: req.Method, Args: req.Args}
	if err := s.Send(direct, true); err != nil {
		return h.direct.unsent(handle, c, err)
	}

	resp = new(pb.CallResponse)
	if err := s.Recv(resp); err != nil {
		sent, err := h.afterDirect(ctx, handle, c, err)
		return nil, sent, err
	}
	return resp, true, nil
}

// fetchDirect sends a request without a body on the direct link to
// target's worker. sent reports whether the request may have reached the
// worker; when it is false, the caller sends it through the supervisor.
// NOTE: a request with a body always goes through the supervisor, because
// a body read once cannot be sent again when the worker refuses it.
func (h *hostClient) fetchDirect(ctx context.Context, target *pb.Target, req *http.Request) (resp *http.Response, sent bool, err error) {
	if req.Body != nil && req.Body != http.NoBody {
		return nil, false, nil
	}
	handle := target.GetHandle()
	c := h.direct.get(handle)
	if c == nil {
		return nil, false, nil
	}
	resp, err = httpstream.RoundTrip(ctx, httpstream.LinkOpener(c, LinkFetch), WorkerTarget(target), req, nil)
	if err == nil {
		return resp, true, nil
	}
	if sent, err = h.afterDirect(ctx, handle, c, err); !sent {
		return nil, false, nil
	}
	return nil, true, rpcerr.FromStatus(err)
}

// afterDirect classifies err, which ended a request on the direct link c
// after it may have reached the worker. sent is false when the request
// did not run, so the caller sends it through the supervisor instead: the
// worker refused it while draining, or the link closed before it went out.
// A link that closed, from either cause, is dropped.
func (h *hostClient) afterDirect(ctx context.Context, handle string, c *link.Conn, err error) (sent bool, _ error) {
	code := status.Code(err)
	switch {
	case code == errDraining:
		h.direct.drop(handle, c)
		return false, nil
	case code == codes.Unavailable || (code == codes.Canceled && ctx.Err() == nil):
		// The worker's process ended, perhaps during the request: the
		// supervisor records why, and whether the request ran.
		h.direct.drop(handle, c)
		err = h.exitReason(ctx, handle, err)
		if status.Code(err) == errDraining {
			return false, nil
		}
	}
	return true, err
}

// unsent handles an error from opening a stream on c or sending its
// request, in callDirect's results. A link that closed never carried the
// request, so the caller sends it through the supervisor. A request too
// large, or a context that ended, would fail there too, so its error is
// final.
func (d *directLinks) unsent(handle string, c *link.Conn, err error) (*pb.CallResponse, bool, error) {
	if status.Code(err) != codes.Unavailable {
		return nil, true, err
	}
	d.drop(handle, c)
	return nil, false, nil
}

// WorkerTarget returns t without its handle, as the worker receives it:
// only the supervisor reads handles.
func WorkerTarget(t *pb.Target) *pb.Target {
	return &pb.Target{Entrypoint: t.GetEntrypoint(), Props: t.GetProps(), Limits: t.GetLimits()}
}

// exitReason returns the supervisor's account of why the worker behind
// handle stopped, or cause when the supervisor has none.
func (h *hostClient) exitReason(ctx context.Context, handle string, cause error) error {
	_, err := h.link.Call(ctx, LinkExitReason, &pb.Target{Handle: handle}, new(pb.Empty))
	if err == nil {
		return cause
	}
	return err
}

// resume takes calls again after a drain that was not followed by a stop.
func (p *peerCalls) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draining = false
}

// peerCalls counts a worker's calls on direct links, for draining.
type peerCalls struct {
	mu       sync.Mutex
	active   int
	last     time.Time
	draining bool
}

// begin counts a call in, or returns the error that refuses it.
func (p *peerCalls) begin() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.draining {
		return status.Error(errDraining, "the worker is stopping; send the call through the supervisor")
	}
	p.active++
	return nil
}

func (p *peerCalls) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active--
	p.last = time.Now()
}

// drain starts refusing calls if none is in progress and none ended within
// idle, and reports whether it did.
func (p *peerCalls) drain(idle time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active > 0 || time.Since(p.last) < idle {
		return false
	}
	p.draining = true
	return true
}

// collectGarbage runs a collection, which closes the bodies of responses
// the worker dropped unread and so frees the link streams they held.
func collectGarbage() { runtime.GC() }
