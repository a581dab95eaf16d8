package supervisor

import (
	"errors"
	"net/http"
	"time"

	"github.com/dynworker/dynworker/internal/httpstream"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// errOutboundDenied is workerd's message for fetch() from a worker whose
// globalOutbound is null.
var errOutboundDenied = errors.New("This worker is not permitted to access the internet via global functions like fetch(). It must use capabilities (such as bindings in 'env') to talk to the outside world.")

// outboundClient sends the requests of workers' global fetch().
var outboundClient = &http.Client{
	Timeout: 5 * time.Minute,
	// A worker sees redirects as responses and follows them itself, as
	// fetch() with redirect: "manual" would.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// outbound performs one fetch() of w on the network.
// TODO: apply an outbound policy (deny private and metadata addresses by
// default, allow lists) before workers get network access in production.
func (s *Supervisor) outbound(stream whpb.Host_OutboundServer, w *loader.Worker) error {
	_, req, err := httpstream.ReceiveRequest(stream)
	if err != nil {
		return err
	}
	code, err := w.Code(stream.Context())
	if err != nil {
		return err
	}
	if _, denied := code.GetGlobalOutbound().GetKind().(*pb.GlobalOutbound_None); denied {
		return scriptErr("Error", errOutboundDenied.Error())
	}
	resp, err := outboundClient.Do(req.WithContext(stream.Context()))
	if err != nil {
		return scriptErr("TypeError", "fetch failed: "+err.Error())
	}
	return httpstream.SendResponse(stream, resp)
}
