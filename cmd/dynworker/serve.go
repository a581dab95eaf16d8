package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	"github.com/dynworker/dynworker/supervisor"
)

const defaultGRPCAddr = "127.0.0.1:8790"

//go:embed serve_parent.js
var serveParentSource string

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	httpAddr := fs.String("http", defaultHTTPAddr, "address of the HTTP endpoint that runs POSTed worker code")
	grpcAddr := fs.String("grpc", defaultGRPCAddr, "address of the gRPC host API; loopback only")
	supFlags := addSupervisorFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := supFlags.config()
	if err != nil {
		fmt.Fprintf(stderr, "dynworker serve: %v\n", err)
		return 2
	}
	for _, a := range []struct{ flag, addr string }{{"--grpc", *grpcAddr}, {"--http", *httpAddr}} {
		if err := checkLoopback(a.addr); err != nil {
			fmt.Fprintf(stderr, "dynworker serve: %s %s: %v\n", a.flag, a.addr, err)
			return 2
		}
	}
	log := newLogger(stderr)
	cfg.Logger = log
	sup, err := supervisor.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "dynworker serve: %v\n", err)
		return 1
	}
	defer sup.Close()

	code := &pb.WorkerCode{
		CompatibilityDate: defaultCompatibilityDate,
		MainModule:        "serve.js",
		Modules:           []*pb.Module{{Name: "serve.js", Content: &pb.Module_Js{Js: serveParentSource}}},
	}
	// The posted workers live in a reserved namespace, so host apps cannot
	// reach them over gRPC by naming it.
	handle, err := sup.LoadParent(ctx, "serve", code, map[string]string{"LOADER": "dynworker:serve"})
	if err != nil {
		fmt.Fprintf(stderr, "dynworker serve: start the built-in parent worker: %v\n", err)
		return 1
	}

	grpcLn, err := net.Listen("tcp", *grpcAddr)
	if err != nil {
		fmt.Fprintf(stderr, "dynworker serve: %v\n", err)
		return 1
	}
	httpLn, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		grpcLn.Close()
		fmt.Fprintf(stderr, "dynworker serve: %v\n", err)
		return 1
	}
	log.Info("dynworker serving", "grpc", grpcLn.Addr().String(), "http", httpLn.Addr().String())
	fmt.Fprintf(stdout, "dynworker: gRPC host API on %s, worker endpoint on http://%s\n", grpcLn.Addr(), httpLn.Addr())

	srv := supervisor.NewGRPCServer(sup)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(grpcLn) })
	g.Go(func() error { return serveHTTP(gctx, httpLn, limitBody(workerHandler(sup, handle, log))) })
	g.Go(func() error {
		<-gctx.Done()
		srv.GracefulStop()
		return nil
	})
	if err := g.Wait(); err != nil {
		fmt.Fprintf(stderr, "dynworker serve: %v\n", err)
		return 1
	}
	log.Info("dynworker stopped")
	return 0
}

// checkLoopback rejects an address that is not on a loopback interface: the
// host API and the endpoint that runs posted code have no authentication.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		// TODO: allow other addresses once the host API authenticates callers.
		return fmt.Errorf("not a loopback address: the endpoints of serve have no authentication yet, so they listen on loopback only (for example 127.0.0.1:8790)")
	}
	return nil
}

// limitBody rejects request bodies larger than a worker's modules may be,
// before the built-in parent worker reads them.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > loader.MaxModulesSize {
			http.Error(w, fmt.Sprintf("request body of %d bytes is larger than the %d bytes a worker's code may have", r.ContentLength, loader.MaxModulesSize), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, loader.MaxModulesSize)
		h.ServeHTTP(w, r)
	})
}
