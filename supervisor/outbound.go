package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// errOutboundDenied is workerd's message for fetch() from a worker whose
// globalOutbound is null.
var errOutboundDenied = errors.New("This worker is not permitted to access the internet via global functions like fetch(). It must use capabilities (such as bindings in 'env') to talk to the outside world.")

// maxOutboundPerWorker is how many outbound requests of one workerhost the
// supervisor handles at once; more wait their turn.
const maxOutboundPerWorker = 6

// outboundTimeout bounds one outbound request, body included.
const outboundTimeout = 5 * time.Minute

// newOutboundClient returns the client for workers' global fetch(). Unless
// allowPrivate is set, it refuses to connect to loopback, private,
// link-local and other non-public addresses. The check runs on the address
// actually dialled, after DNS, so a name that resolves to such an address
// is refused too.
func newOutboundClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = rejectPrivate
	}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   outboundTimeout,
		// Redirects go back to the worker as responses, and the worker's
		// fetch() follows them, so each hop passes the address check.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// errPrivateAddress marks a connection the outbound policy refused.
var errPrivateAddress = errors.New("the address is not public")

func rejectPrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("connecting to %s is not allowed: %w", address, errPrivateAddress)
	}
	if !isPublic(ap.Addr().Unmap()) {
		return fmt.Errorf("connecting to %s is not allowed: %w", address, errPrivateAddress)
	}
	return nil
}

// nonPublic are ranges that are neither loopback, private nor link-local
// by netip's tests but still do not belong to the public internet.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	// IPv6 ranges that embed or translate to IPv4 addresses, which could
	// reach private IPv4 hosts, and other non-global ones.
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("fec0::/10"),
}

func isPublic(ip netip.Addr) bool {
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// outbound performs one fetch() of w on the network. The request head
// arrives with the stream's first frame. The policy is checked before the
// head is decoded or any of the body is read, so a worker without network
// access costs the supervisor no more than that frame. sem bounds how many
// requests of one worker the supervisor makes at once.
func (s *Supervisor) outbound(stream httpstream.LinkServer, w *loader.Worker, sem chan struct{}) error {
	code, err := w.Code(stream.Context())
	if err != nil {
		return err
	}
	if _, denied := code.GetGlobalOutbound().GetKind().(*pb.GlobalOutbound_None); denied {
		return scriptErr("Error", errOutboundDenied.Error())
	}
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-stream.Context().Done():
		return stream.Context().Err()
	}
	_, req, err := httpstream.ReceiveRequest(stream)
	if err != nil {
		return err
	}
	resp, err := s.outboundClient.Do(req.WithContext(stream.Context()))
	if err != nil {
		return scriptErr("TypeError", outboundMessage(err))
	}
	return httpstream.SendResponse(stream, resp)
}

// outboundMessage words a failed outbound request for the worker.
func outboundMessage(err error) string {
	if errors.Is(err, errPrivateAddress) {
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Addr != nil {
			return fmt.Sprintf("Network connection failed: connecting to %s is not allowed.", opErr.Addr)
		}
		return "Network connection failed: connecting to a non-public address is not allowed."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "fetch failed: timed out"
	}
	return "fetch failed: " + err.Error()
}
