package workerhost

import (
	"github.com/hashicorp/go-plugin"
)

// Serve runs this process as a workerhost until the supervisor stops it. It
// must be called from a process the supervisor started: it expects the
// go-plugin handshake environment and the link on LinkFD. The process's
// stdout carries nothing but the handshake.
func Serve() error {
	host := newHostClient()
	defer host.close()

	srv := newWorkerServer(host, host.direct)
	defer srv.close()
	lc, err := openLink(srv.serveLink)
	if err != nil {
		return err
	}
	host.start(lc)

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{PluginName: &Plugin{Impl: srv}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
	return nil
}
