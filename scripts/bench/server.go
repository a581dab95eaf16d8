package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// The names of the two runtimes, as they appear in the report.
const (
	dynworker = "dynworker"
	workerd   = "workerd"
)

// readyTimeout bounds the wait for a started runtime to serve its first
// request.
const readyTimeout = 60 * time.Second

// server is one started runtime: `dynworker run`, `dynworker serve` or
// `workerd serve`, serving HTTP on 127.0.0.1.
type server struct {
	runtime string
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	grpc    string // 127.0.0.1:PORT of `dynworker serve`, else ""
	started time.Time
	logFile *os.File
	exited  chan struct{} // closed once the process has exited
}

// startDynworkerRun starts `dynworker run` with the benchmark's parent
// worker.
func (b *bench) startDynworkerRun() (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	entry := filepath.Join(b.paths.parentDir, "parent.js")
	return b.start(dynworker, addr, "", b.paths.dynworker, "run", "--http", addr, entry)
}

// startDynworkerServe starts `dynworker serve` with its default warm pool.
func (b *bench) startDynworkerServe() (*server, error) {
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	grpcAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return b.start(dynworker, httpAddr, grpcAddr, b.paths.dynworker, "serve", "--http", httpAddr, "--grpc", grpcAddr)
}

// startWorkerd starts `workerd serve --experimental` with the parent worker.
func (b *bench) startWorkerd() (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	config, err := b.paths.writeWorkerdConfig(addr)
	if err != nil {
		return nil, err
	}
	return b.start(workerd, addr, "", b.paths.workerd, "serve", config, "--experimental")
}

// start starts a runtime process with its output in a log file. It returns
// once the process runs, not once it serves: see waitServing.
func (b *bench) start(rt, addr, grpcAddr, path string, args ...string) (*server, error) {
	b.serverCount++
	logPath := filepath.Join(b.paths.logs, fmt.Sprintf("%02d-%s-%s.log", b.serverCount, rt, args[0]))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = filepath.Dir(path)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	s := &server{runtime: rt, cmd: cmd, base: "http://" + addr, grpc: grpcAddr, logFile: logFile}
	s.started = time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s %s: %w", rt, args[0], err)
	}
	s.exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	b.servers[s] = true
	return s, nil
}

// startServing starts a runtime with start and waits until it serves.
func (b *bench) startServing(ctx context.Context, start func() (*server, error)) (*server, error) {
	s, err := start()
	if err != nil {
		return nil, err
	}
	if _, err := b.waitServing(ctx, s, "/noop"); err != nil {
		b.stop(s)
		return nil, err
	}
	return s, nil
}

// waitServing polls path every millisecond until it returns a response,
// and returns the time from the process start to that response. Any HTTP
// status counts as served, because the built-in parent of `dynworker serve`
// returns 405 for GET.
func (b *bench) waitServing(ctx context.Context, s *server, path string) (time.Duration, error) {
	deadline := time.Now().Add(readyTimeout)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: readyTimeout}
	for time.Now().Before(deadline) {
		if isClosed(s.exited) {
			return 0, fmt.Errorf("%s exited before serving; see %s", s.runtime, s.logFile.Name())
		}
		resp, err := client.Get(s.base + path)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return time.Since(s.started), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return 0, fmt.Errorf("%s did not serve %s within %v; see %s", s.runtime, path, readyTimeout, s.logFile.Name())
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the runtime, kills it after 5 seconds, and then
// kills any of its child processes that outlived it, by PID.
func (b *bench) stop(s *server) {
	if !b.servers[s] {
		return
	}
	delete(b.servers, s)
	children := descendants(s.cmd.Process.Pid)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	for _, pid := range children {
		if !runsExecutable(pid, s.cmd.Path) {
			continue
		}
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
	s.logFile.Close()
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// get sends GET base+path and returns the body. A status other than 200 is
// an error that quotes the body.
func (b *bench) get(ctx context.Context, s *server, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s GET %s: %w", s.runtime, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("%s GET %s: read body: %w", s.runtime, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s GET %s: status %d: %s", s.runtime, path, resp.StatusCode, truncate(string(body), 300))
	}
	return string(body), nil
}

// timeGet returns how long get takes, in milliseconds.
func (b *bench) timeGet(ctx context.Context, s *server, path string) (float64, error) {
	start := time.Now()
	if _, err := b.get(ctx, s, path); err != nil {
		return 0, err
	}
	return millis(time.Since(start)), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
