package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// throughputCPUSize is the sieve bound of one CPU-heavy call in the
// throughput runs: tens of milliseconds per call in goja, under one in V8.
const throughputCPUSize = 20_000

// load is one throughput point: callers concurrent HTTP clients spread over
// workers dynamic workers.
type load struct{ callers, workers int }

var throughputLoads = []load{{1, 1}, {2, 2}, {8, 2}, {8, 8}}

// throughputWorkload is the work of each call in a dynamic worker.
type throughputWorkload struct {
	name string
	path func(id string) string
}

var throughputWorkloads = []throughputWorkload{
	{name: "ping", path: func(id string) string { return "/rpc?n=1&id=" + id }},
	{name: fmt.Sprintf("sieve to %d", throughputCPUSize), path: func(id string) string {
		return fmt.Sprintf("/cpu?size=%d&id=%s", throughputCPUSize, id)
	}},
}

// throughputPhase measures completed calls per second for each workload and
// load, alternating the runtimes, and then how much each runtime gains from
// two busy workers over one.
func (b *bench) throughputPhase(ctx context.Context) error {
	servers, err := b.startBoth(ctx)
	if err != nil {
		return err
	}
	defer b.stopAll(servers)
	duration := 2 * time.Second
	if b.opts.quick {
		duration = time.Second
	}
	rounds := min(b.opts.rounds, 2)
	for _, wl := range throughputWorkloads {
		for _, ld := range throughputLoads {
			name := throughputName(wl, ld)
			m := b.metric(name, "calls/s", "")
			m.higher = true
			if err := b.measureThroughput(ctx, servers, m, wl, ld, rounds, duration); err != nil {
				return err
			}
		}
		b.addScaling(wl)
	}
	return nil
}

func (b *bench) measureThroughput(ctx context.Context, servers []*server, m *metric, wl throughputWorkload, ld load, rounds int, d time.Duration) error {
	ids := make([]string, ld.workers)
	for i := range ids {
		ids[i] = fmt.Sprintf("tp-%d-%d", ld.workers, i)
	}
	for _, s := range servers {
		for _, id := range ids {
			if _, err := b.get(ctx, s, wl.path(id)); err != nil {
				return err
			}
		}
	}
	for round := range rounds {
		for _, s := range inOrder(servers, round) {
			rate, err := b.callRate(ctx, s, wl, ids, ld.callers, d)
			if err != nil {
				return err
			}
			m.add(s.runtime, rate)
		}
	}
	return nil
}

// callRate runs callers goroutines for d, caller i sending its requests to
// worker ids[i % len(ids)], and returns the completed calls per second.
func (b *bench) callRate(ctx context.Context, s *server, wl throughputWorkload, ids []string, callers int, d time.Duration) (float64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		done     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	deadline := start.Add(d)
	for i := range callers {
		path := wl.path(ids[i%len(ids)])
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := b.get(ctx, s, path); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				if time.Now().Before(deadline) {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(done.Load()) / d.Seconds(), nil
}

// addScaling adds a row with the throughput of two callers on two workers
// over that of one caller on one worker: about 2 on two idle cores when
// each worker runs on a core of its own.
func (b *bench) addScaling(wl throughputWorkload) {
	base := b.find(throughputName(wl, load{1, 1}))
	doubled := b.find(throughputName(wl, load{2, 2}))
	if base == nil || doubled == nil {
		return
	}
	m := b.metric(fmt.Sprintf("throughput, %s: speedup of 2 callers on 2 workers over 1 on 1", wl.name), "×", "grows with cores")
	m.higher = true
	for _, rt := range []string{dynworker, workerd} {
		m.add(rt, doubled.median(rt)/base.median(rt))
	}
}

func throughputName(wl throughputWorkload, ld load) string {
	return fmt.Sprintf("throughput, %s: %s over %s (calls/s)", wl.name, plural(ld.callers, "caller"), plural(ld.workers, "worker"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
