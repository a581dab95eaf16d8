// Package client is the Go client of the dynworker host API: load workers
// from code supplied at run time and call their entrypoints over gRPC.
package client

import (
	"context"

	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/internal/value"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// MaxMessageSize is the largest message the client sends or accepts.
const MaxMessageSize = 80 << 20

// ScriptError is an error thrown by JavaScript: in a worker, or while
// loading one. Its Name is the JavaScript error name, such as "TypeError".
type ScriptError = rpcerr.ScriptError

// Undefined is JavaScript's undefined as a Call argument or result.
type Undefined = value.Undefined

// Metadata keys that carry the namespace and worker ID of each request, so a
// proxy can route by them.
const (
	MetadataNamespace = "dynworker-namespace"
	MetadataWorkerID  = "dynworker-worker-id"
)

// Client calls one supervisor. It is safe for concurrent use.
type Client struct {
	conn      *grpc.ClientConn
	api       pb.WorkerLoaderClient
	namespace string
}

// Dial connects to the supervisor at target, such as "127.0.0.1:8790",
// without transport security: the host API listens on loopback.
func Dial(target string, opts ...grpc.DialOption) (*Client, error) {
	opts = append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize)),
	}, opts...)
	conn, err := grpc.NewClient(target, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial dynworker at %s: %w", target, err)
	}
	return &Client{conn: conn, api: pb.NewWorkerLoaderClient(conn)}, nil
}

// WithNamespace returns a client whose workers live in namespace; the
// default namespace is "".
func (c *Client) WithNamespace(namespace string) *Client {
	return &Client{conn: c.conn, api: c.api, namespace: namespace}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Get returns the worker with id. getCode runs only when the supervisor
// does not have the worker loaded; its code is then sent once.
func (c *Client) Get(ctx context.Context, id string, getCode func(context.Context) (*Code, error)) (*Worker, error) {
	ctx = c.metadata(ctx, id)
	resp, err := c.api.Get(ctx, &pb.GetRequest{Namespace: c.namespace, WorkerId: id})
	if status.Code(err) == codes.NotFound && isCodeRequired(err) {
		code, cerr := getCode(ctx)
		if cerr != nil {
			return nil, fmt.Errorf("get code of worker %q: %w", id, cerr)
		}
		msg, cerr := code.proto()
		if cerr != nil {
			return nil, cerr
		}
		resp, err = c.api.Get(ctx, &pb.GetRequest{Namespace: c.namespace, WorkerId: id, Code: msg})
	}
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return &Worker{c: c, handle: resp.Handle, id: id}, nil
}

func isCodeRequired(err error) bool {
	for _, d := range status.Convert(err).Details() {
		if _, ok := d.(*pb.CodeRequired); ok {
			return true
		}
	}
	return false
}

// Load starts a new anonymous worker from code. Release it when done.
func (c *Client) Load(ctx context.Context, code *Code) (*Worker, error) {
	msg, err := code.proto()
	if err != nil {
		return nil, err
	}
	resp, err := c.api.Load(c.metadata(ctx, ""), &pb.LoadRequest{Namespace: c.namespace, Code: msg})
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return &Worker{c: c, handle: resp.Handle}, nil
}

// List returns the workers the supervisor has loaded in the client's
// namespace.
func (c *Client) List(ctx context.Context) ([]*pb.WorkerInfo, error) {
	resp, err := c.api.List(ctx, &pb.ListRequest{Namespace: c.namespace})
	if err != nil {
		return nil, rpcerr.FromStatus(err)
	}
	return resp.Workers, nil
}

// Evict stops the process of the worker with id. Its next use starts it
// again from the cached code.
func (c *Client) Evict(ctx context.Context, id string) (bool, error) {
	resp, err := c.api.Evict(c.metadata(ctx, id), &pb.EvictRequest{Namespace: c.namespace, WorkerId: id})
	if err != nil {
		return false, rpcerr.FromStatus(err)
	}
	return resp.Evicted, nil
}

func (c *Client) metadata(ctx context.Context, id string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, MetadataNamespace, c.namespace, MetadataWorkerID, id)
}
