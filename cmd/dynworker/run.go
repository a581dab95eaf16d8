package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/supervisor"
)

const defaultHTTPAddr = "127.0.0.1:8787"

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("http", defaultHTTPAddr, "address to serve the parent worker's fetch handler on")
	supFlags := addSupervisorFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := supFlags.config()
	if err != nil {
		fmt.Fprintf(stderr, "dynworker run: %v\n", err)
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: dynworker run [--http ADDR] ENTRY")
		return 2
	}
	log := newLogger(stderr)
	p, err := loadProject(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "dynworker run: %v\n", err)
		return 1
	}

	cfg.Logger = log
	sup, err := supervisor.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "dynworker run: %v\n", err)
		return 1
	}
	defer sup.Close()
	handle, err := sup.LoadParent(ctx, "parent", p.code, p.loaders)
	if err != nil {
		fmt.Fprintf(stderr, "dynworker run: start %s: %v\n", fs.Arg(0), err)
		return 1
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "dynworker run: %v: choose another address with --http\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "dynworker: serving %s on http://%s\n", fs.Arg(0), ln.Addr())
	if err := serveHTTP(ctx, ln, workerHandler(sup, handle, log)); err != nil {
		fmt.Fprintf(stderr, "dynworker run: %v\n", err)
		return 1
	}
	log.Info("dynworker stopped")
	return 0
}

// workerHandler sends each HTTP request to the default entrypoint of the
// worker behind handle and streams its response back.
func workerHandler(sup *supervisor.Supervisor, handle string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := r.Clone(r.Context())
		req.URL.Scheme, req.URL.Host = "http", r.Host
		req.RequestURI = ""
		resp, err := sup.Fetch(r.Context(), handle, "", req)
		if err != nil {
			log.Error("parent worker failed", "err", err)
			http.Error(w, uncaughtMessage(err), http.StatusInternalServerError)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		copyFlushing(w, resp.Body)
	})
}

// uncaughtMessage is the body of a 500 response for an error the worker
// threw: the error's name and message.
func uncaughtMessage(err error) string {
	var se *rpcerr.ScriptError
	if errors.As(err, &se) {
		return "Uncaught " + se.Error()
	}
	return err.Error()
}

// copyFlushing copies a streamed body, flushing each chunk to the client.
func copyFlushing(w http.ResponseWriter, body io.Reader) {
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// serveHTTP serves h on ln until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	<-errc
	return nil
}
