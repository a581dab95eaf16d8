package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// bench holds the state of one benchmark run: its options, the runtimes it
// started and the metrics it has measured so far.
type bench struct {
	opts  *options
	paths *paths
	log   io.Writer
	http  *http.Client

	servers     map[*server]bool // started and not yet stopped
	serverCount int              // numbers the log files
	metrics     []*metric
	usage       *cpuUsage
}

func newBench(ctx context.Context, opts *options, log io.Writer) (*bench, error) {
	repo, err := findRepo()
	if err != nil {
		return nil, err
	}
	b := &bench{
		opts:    opts,
		paths:   newPaths(repo),
		log:     log,
		servers: make(map[*server]bool),
		http: &http.Client{Transport: &http.Transport{
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     time.Minute,
		}},
	}
	if err := b.paths.prepare(ctx, log); err != nil {
		return nil, err
	}
	return b, nil
}

// close stops every runtime still running.
func (b *bench) close() {
	for s := range b.servers {
		b.stop(s)
	}
}

func (b *bench) runPhases(ctx context.Context) error {
	phases := map[string]func(context.Context) error{
		"latency":    b.latencyPhase,
		"throughput": b.throughputPhase,
		"memory":     b.memoryPhase,
		"grpc":       b.grpcPhase,
		"startup":    b.startupPhase,
	}
	for _, name := range allPhases {
		if !b.opts.phases[name] {
			continue
		}
		start := time.Now()
		fmt.Fprintf(b.log, "bench: phase %s\n", name)
		if err := phases[name](ctx); err != nil {
			return fmt.Errorf("phase %s: %w", name, err)
		}
		fmt.Fprintf(b.log, "bench: phase %s took %v\n", name, time.Since(start).Round(time.Second))
	}
	return nil
}

// startBoth starts `dynworker run` and workerd with the parent worker and
// waits until both serve.
func (b *bench) startBoth(ctx context.Context) ([]*server, error) {
	dyn, err := b.startServing(ctx, b.startDynworkerRun)
	if err != nil {
		return nil, err
	}
	wd, err := b.startServing(ctx, b.startWorkerd)
	if err != nil {
		b.stop(dyn)
		return nil, err
	}
	return []*server{dyn, wd}, nil
}

// startWarm starts both runtimes, as startBoth does, and warms each up.
func (b *bench) startWarm(ctx context.Context) ([]*server, error) {
	servers, err := b.startBoth(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range servers {
		if err := b.warmUp(ctx, s); err != nil {
			b.stopAll(servers)
			return nil, err
		}
	}
	return servers, nil
}

func (b *bench) stopAll(servers []*server) {
	for _, s := range servers {
		b.stop(s)
	}
}

// inOrder returns the servers in the order of one round: the runtime that
// goes first alternates from round to round.
func inOrder(servers []*server, round int) []*server {
	if round%2 == 0 {
		return servers
	}
	out := make([]*server, len(servers))
	for i, s := range servers {
		out[len(servers)-1-i] = s
	}
	return out
}

// scaled returns n, or a third of n (at least 1) in a quick run.
func (b *bench) scaled(n int) int {
	if b.opts.quick {
		return max(1, n/3)
	}
	return n
}

// uniqueID returns a worker ID that no earlier request of this run used.
func uniqueID(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func splitComma(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
