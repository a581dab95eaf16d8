package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dynworker/dynworker/client"
)

// evictWorkers is how many workers the eviction check loads and evicts.
const evictWorkers = 8

// grpcPhase measures the host API of `dynworker serve` from a Go host app.
// workerd has no such API, so each row is compared with its nearest
// parent-worker row.
func (b *bench) grpcPhase(ctx context.Context) error {
	s, err := b.startDynworkerServe()
	if err != nil {
		return err
	}
	defer b.stop(s)
	if _, err := b.waitServing(ctx, s, "/"); err != nil {
		return err
	}
	c, err := client.Dial(s.grpc)
	if err != nil {
		return err
	}
	defer c.Close()

	// Measure the supervisor once the warm pool is full.
	if _, err := b.settledProcessCount(ctx, s); err != nil {
		return err
	}
	own, err := pss(s.cmd.Process.Pid)
	if err != nil {
		return err
	}
	b.metric("PSS of the dynworker supervisor process alone, `dynworker serve` (MB)", "MB", "").add(dynworker, float64(own)/megabyte)

	if err := b.grpcWarmCalls(ctx, c); err != nil {
		return err
	}
	if err := b.grpcColdStarts(ctx, c); err != nil {
		return err
	}
	baseline, err := b.settledProcessCount(ctx, s)
	if err != nil {
		return err
	}
	return b.evictionCheck(ctx, s, c, baseline)
}

// childCode is the code of the benchmark's dynamic worker, as the parent
// worker gives it to env.LOADER.
func childCode() *client.Code {
	return &client.Code{
		CompatibilityDate: compatibilityDate,
		MainModule:        "child.js",
		Modules:           map[string]client.Module{"child.js": client.JS(childSource)},
		DenyOutbound:      true,
	}
}

// benchCode is childCode as the getCode callback of client.Get.
func benchCode(context.Context) (*client.Code, error) { return childCode(), nil }

// grpcWarmCalls times single ping calls to one loaded worker.
func (b *bench) grpcWarmCalls(ctx context.Context, c *client.Client) error {
	w, err := c.Get(ctx, "grpc-warm", benchCode)
	if err != nil {
		return fmt.Errorf("get worker over gRPC: %w", err)
	}
	ep := w.Entrypoint("", nil)
	m := b.metric("warm RPC call, Go host app over gRPC (ms per call)", "ms", "≤ 1.0")
	m.compare = b.find("warm RPC call, parent to child (ms per call)")
	for i := range 20 + b.opts.rounds*b.scaled(200) {
		start := time.Now()
		if _, err := ep.Call(ctx, "ping"); err != nil {
			return fmt.Errorf("call ping over gRPC: %w", err)
		}
		if i >= 20 {
			m.add(dynworker, millis(time.Since(start)))
		}
	}
	return nil
}

// grpcColdStarts times Load or Get with a new ID, each followed by the
// first call. Before each sample it pauses for coldPause, so the sample
// starts from a full warm pool. A count of processes would not do: a new
// pool process exists before its runtime is prepared.
func (b *bench) grpcColdStarts(ctx context.Context, c *client.Client) error {
	load := b.metric("cold start, Go host app over gRPC: Load() to first reply, warm pool of 2 (ms)", "ms", "≤ 0.5")
	load.compare = b.find("cold start: load() to first RPC reply (ms)")
	get := b.metric("cold start, Go host app over gRPC: Get(new ID) to first reply, warm pool of 2 (ms)", "ms", "≤ 0.5")
	get.compare = b.find("cold start: get(new ID) to first RPC reply (ms)")
	for range b.opts.rounds * b.scaled(4) {
		sleep(ctx, coldPause)
		start := time.Now()
		w, err := c.Load(ctx, childCode())
		if err != nil {
			return fmt.Errorf("load over gRPC: %w", err)
		}
		if _, err := w.Entrypoint("", nil).Call(ctx, "ping"); err != nil {
			return fmt.Errorf("first call over gRPC: %w", err)
		}
		load.add(dynworker, millis(time.Since(start)))
		if err := w.Release(ctx); err != nil {
			return fmt.Errorf("release over gRPC: %w", err)
		}

		sleep(ctx, coldPause)
		start = time.Now()
		if w, err = c.Get(ctx, uniqueID("grpc-cold"), benchCode); err != nil {
			return fmt.Errorf("get over gRPC: %w", err)
		}
		if _, err := w.Entrypoint("", nil).Call(ctx, "ping"); err != nil {
			return fmt.Errorf("first call over gRPC: %w", err)
		}
		get.add(dynworker, millis(time.Since(start)))
	}
	return nil
}

// evictionCheck loads evictWorkers workers, evicts them, and records how
// many of their processes are left.
func (b *bench) evictionCheck(ctx context.Context, s *server, c *client.Client, baseline int) error {
	ids := make([]string, evictWorkers)
	for i := range ids {
		ids[i] = uniqueID("evict")
		w, err := c.Get(ctx, ids[i], benchCode)
		if err != nil {
			return err
		}
		if _, err := w.Entrypoint("", nil).Call(ctx, "ping"); err != nil {
			return err
		}
	}
	if err := b.waitProcessCount(ctx, s, baseline+evictWorkers); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := c.Evict(ctx, id); err != nil {
			return fmt.Errorf("evict over gRPC: %w", err)
		}
	}
	sleep(ctx, settleTime)
	m := b.metric(fmt.Sprintf("processes left after evicting %d idle workers", evictWorkers), "processes", "0")
	m.add(dynworker, float64(len(descendants(s.cmd.Process.Pid))-baseline))
	return nil
}

// settledProcessCount waits until the number of processes below the
// supervisor has not changed for a second, and returns it: the built-in
// parent worker plus the warm pool.
func (b *bench) settledProcessCount(ctx context.Context, s *server) (int, error) {
	last, since := -1, time.Now()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		n := len(descendants(s.cmd.Process.Pid))
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= time.Second {
			return n, nil
		}
		sleep(ctx, 20*time.Millisecond)
	}
	return 0, fmt.Errorf("the number of dynworker processes did not settle within %v", readyTimeout)
}

// waitProcessCount waits until the supervisor has exactly want processes
// below it.
func (b *bench) waitProcessCount(ctx context.Context, s *server, want int) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if n := len(descendants(s.cmd.Process.Pid)); n == want {
			return nil
		}
		sleep(ctx, 5*time.Millisecond)
	}
	return fmt.Errorf("dynworker serve did not reach %d child processes within %v (it has %d)", want, readyTimeout, len(descendants(s.cmd.Process.Pid)))
}
