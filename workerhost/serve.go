package workerhost

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Serve runs this process as a workerhost until the supervisor stops it. It
// must be called from a process the supervisor started: it expects the
// go-plugin handshake environment, the Host connection on HostFD and the
// link on LinkFD. The process's stdout carries nothing but the handshake.
func Serve() error {
	conn, err := hostConn()
	if err != nil {
		return err
	}
	host := newHostClient(conn)
	defer host.close()

	srv := newWorkerServer(host, host.direct)
	defer srv.close()
	lc, err := openLink(srv.serveLink)
	if err != nil {
		return err
	}
	host.link = lc

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{PluginName: &Plugin{Impl: srv}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts,
				grpc.MaxRecvMsgSize(MaxMessageSize),
				grpc.MaxSendMsgSize(MaxMessageSize),
			)
			return grpc.NewServer(opts...)
		},
	})
	return nil
}

// hostConn opens the gRPC connection to the Host service over the socket
// the supervisor passed on HostFD.
func hostConn() (*grpc.ClientConn, error) {
	f := os.NewFile(HostFD, "host")
	if f == nil {
		return nil, fmt.Errorf("open host connection: no file descriptor %d", HostFD)
	}
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("open host connection on descriptor %d: %w", HostFD, err)
	}

	var used atomic.Bool
	dial := func(context.Context, string) (net.Conn, error) {
		// The socket cannot be dialled again: a lost connection to the
		// supervisor is final.
		if used.Swap(true) {
			return nil, fmt.Errorf("host connection lost")
		}
		return c, nil
	}

	conn, err := grpc.NewClient("passthrough:///host",
		grpc.WithContextDialer(dial),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(CallOptions()...),
		// The socket can be used once, so the connection must never go idle
		// and be closed.
		grpc.WithIdleTimeout(0),
	)
	if err != nil {
		return nil, fmt.Errorf("open host connection: %w", err)
	}

	// Connect at once: the supervisor's server closes a connection whose
	// client has not spoken within its handshake timeout, and a parent may
	// not call out for minutes.
	conn.Connect()
	return conn, nil
}
