package workerhost

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// MaxMessageSize is the largest gRPC message between a supervisor and a
// workerhost: enough for 64 MiB of modules plus their framing.
const MaxMessageSize = 80 << 20

// PluginName is the go-plugin name of the Worker service.
const PluginName = "worker"

// HostFD is the file descriptor on which a workerhost finds its connection
// to the Host service.
const HostFD = 3

// Handshake is the go-plugin handshake both sides must agree on.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  2,
	MagicCookieKey:   "DYNWORKER_WORKERHOST",
	MagicCookieValue: "5b0c5d3e-runs-one-worker",
}

// Plugin is the go-plugin definition of the Worker service. The supervisor
// uses it as a client; the workerhost serves it with Impl set.
type Plugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl whpb.WorkerServer
}

// GRPCServer registers the Worker service.
func (p *Plugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	whpb.RegisterWorkerServer(s, p.Impl)
	return nil
}

// GRPCClient returns a Worker client on the go-plugin connection.
func (p *Plugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return whpb.NewWorkerClient(c), nil
}

// CallOptions are the options of every call between supervisor and child.
func CallOptions() []grpc.CallOption {
	return []grpc.CallOption{
		grpc.MaxCallRecvMsgSize(MaxMessageSize),
		grpc.MaxCallSendMsgSize(MaxMessageSize),
	}
}
