package supervisor

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost"
)

// maxDirectLinks bounds the direct links one workerhost may hold.
const maxDirectLinks = 256

// connect grants the child a direct link to the worker behind t's handle:
// it starts the worker if needed, gives the worker one end of a new socket
// pair and the child the other. The supervisor keeps a duplicate of the
// worker's end, to revoke the link.
func (h *hostServer) connect(ctx context.Context, t *pb.Target) (*pb.Empty, error) {
	w, err := h.worker(t.GetHandle())
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	p, release, err := h.sup.use(ctx, w)
	if err != nil {
		return nil, rpcerr.ToStatus(err)
	}
	defer release()
	if !h.takeGrant(t.GetHandle(), p) {
		return nil, status.Errorf(codes.ResourceExhausted, "grant direct link: worker %s already holds the maximum of %d", workerName(h.proc.currentWorker()), maxDirectLinks)
	}

	peerEnd, parentEnd, err := filePair()
	if err != nil {
		return nil, err
	}
	defer parentEnd.Close()
	if err := p.link.CallWithFile(ctx, workerhost.LinkServePeer, &pb.Empty{}, new(pb.Empty), peerEnd); err != nil {
		peerEnd.Close()
		return nil, p.callError(err)
	}
	if err := h.proc.link.CallWithFile(ctx, workerhost.LinkAttach, &pb.Target{Handle: t.GetHandle()}, new(pb.Empty), parentEnd); err != nil {
		peerEnd.Close()
		return nil, err
	}
	// The supervisor keeps the worker's end, so a parent that drops the
	// link or stops closes the socket for the worker too. The worker's exit
	// reaches the parent when watch revokes the worker's links.
	p.keepGrant(peerEnd)
	return &pb.Empty{}, nil
}

// takeGrant records that the worker of handle runs in p for this child,
// and reports whether the child may hold one more direct link.
func (h *hostServer) takeGrant(handle string, p *process) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.grants == nil {
		h.grants = make(map[string]*process)
	}
	if h.grants[handle] == nil && len(h.grants) >= maxDirectLinks {
		return false
	}
	h.grants[handle] = p
	return true
}

// exitReason returns why the process of the worker behind t's handle that
// this child last had a direct link to ended, as an error. It waits
// briefly for the process to be reaped.
func (h *hostServer) exitReason(ctx context.Context, t *pb.Target) (*pb.Empty, error) {
	h.mu.Lock()
	p := h.grants[t.GetHandle()]
	h.mu.Unlock()
	if p == nil {
		return nil, status.Errorf(codes.NotFound, "no direct link was granted for handle %q", shorten(t.GetHandle()))
	}
	p.mu.Lock()
	drained := p.drained
	p.mu.Unlock()
	if drained {
		// The worker refused every call after it drained, so the call
		// did not run and may go again through the supervisor.
		return nil, status.Error(codes.Aborted, "the worker stopped as idle before the call reached it")
	}
	err := p.callError(status.Error(codes.Unavailable, "the direct link to the worker closed"))
	return nil, rpcerr.ToStatus(err)
}

// filePair returns the two ends of a new Unix socket pair.
func filePair() (*os.File, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("create direct link: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "direct"), os.NewFile(uintptr(fds[1]), "direct-parent"), nil
}

// keepGrant keeps f, the worker's end of a direct link from a parent, so
// revokeGrants can shut the link down. It first lets go of the ends whose
// parent has closed its side.
func (p *process) keepGrant(f *os.File) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pruneGrantsLocked()
	select {
	case <-p.runner.Done():
		// The worker stopped while the link was being set up.
		_ = unix.Shutdown(int(f.Fd()), unix.SHUT_RDWR)
		f.Close()
	default:
		p.grants = append(p.grants, f)
	}
}

// pruneGrantsLocked closes the kept ends of links whose parent has closed
// its end: a parent that reconnected or stopped.
func (p *process) pruneGrantsLocked() {
	kept := p.grants[:0]
	for _, f := range p.grants {
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLRDHUP}}
		n, err := unix.Poll(fds, 0)
		if err == nil && n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP) != 0 {
			f.Close()
			continue
		}
		kept = append(kept, f)
	}
	clear(p.grants[len(kept):])
	p.grants = kept
}

// revokeGrants shuts down every direct link to p's worker. Shutting down
// the supervisor's duplicate ends the socket for both workerhosts, whose
// later calls go through the supervisor.
func (p *process) revokeGrants() {
	p.mu.Lock()
	grants := p.grants
	p.grants = nil
	p.mu.Unlock()
	for _, f := range grants {
		_ = unix.Shutdown(int(f.Fd()), unix.SHUT_RDWR)
		f.Close()
	}
}

// liveGrants returns the number of p's direct links whose parent is still
// there.
func (p *process) liveGrants() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pruneGrantsLocked()
	return len(p.grants)
}

// DirectLinks returns the number of direct links the supervisor granted to
// w's running process, 0 when none runs.
func DirectLinks(w *loader.Worker) int {
	inst := w.Running()
	if inst == nil {
		return 0
	}
	return inst.(*process).liveGrants()
}

// drainTimeout bounds the wait for a workerhost's reply to LinkDrain.
const drainTimeout = 5 * time.Second

// drained reports whether w may be stopped as idle: its process has no
// direct links, or it has had no calls on them for idle and now refuses
// new ones.
func (s *Supervisor) drained(w *loader.Worker, idle time.Duration) bool {
	inst := w.Running()
	if inst == nil {
		return true
	}
	p := inst.(*process)
	if p.liveGrants() == 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	resp := new(whpb.DrainResponse)
	if _, err := p.link.Call(ctx, workerhost.LinkDrain, &whpb.DrainRequest{IdleMs: idle.Milliseconds()}, resp); err != nil {
		// A workerhost that cannot reply is not serving calls either.
		return true
	}
	if resp.Drained {
		p.mu.Lock()
		p.drained = true
		p.mu.Unlock()
		p.revokeGrants()
	}
	return resp.Drained
}
