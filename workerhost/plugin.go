package workerhost

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// MaxMessageSize is the largest message on the link between a supervisor
// and a workerhost: enough for 64 MiB of modules plus their framing.
const MaxMessageSize = 80 << 20

// PluginName is the go-plugin name of the Worker service.
const PluginName = "worker"

// Handshake is the go-plugin handshake both sides must agree on. Its
// ProtocolVersion changes whenever the descriptors passed at start or the
// meaning of a link method change, so a supervisor never starts a
// workerhost binary of another version.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  3,
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
