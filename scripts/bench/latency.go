package main

import (
	"context"
	"fmt"
	"time"
)

// cpuSize is the sieve bound of the CPU-bound workload: a few milliseconds
// in V8 and a few hundred in goja, so the HTTP and RPC overhead is small
// next to it.
const cpuSize = 300_000

// mebibyte is the size of the large fetch body.
const mebibyte = 1 << 20

// latencyStep is one latency measurement: a parent-worker path timed from
// outside. perCall divides each sample when a request makes several calls.
type latencyStep struct {
	name    string
	target  string
	samples int
	perCall int
	pause   time.Duration // before each sample
	burst   bool          // keep all samples in a quick run, since they are one burst
	path    func(rt string, round, i int) string
}

// coldPause separates cold starts, so each one finds dynworker's warm pool
// refilled and its runtimes prepared, as a worker started now and then
// does. A refill takes a few tens of milliseconds on 2 cores.
const coldPause = 200 * time.Millisecond

func fixed(path string) func(string, int, int) string {
	return func(string, int, int) string { return path }
}

func latencySteps() []latencyStep {
	return []latencyStep{
		{name: "parent HTTP round trip, no loader call (ms)", samples: 20, perCall: 1, path: fixed("/noop")},
		{name: "warm RPC call, parent to child (ms per call)", target: "≤ 1.0", samples: 6, perCall: 50, path: fixed("/rpc?id=warm&n=50")},
		{name: "warm fetch, 16-byte body (ms per call)", target: "≤ 1.0", samples: 6, perCall: 20,
			path: fixed("/fetch?id=warm&size=16&n=20")},
		{name: "warm fetch, 1 MiB body (ms per call)", target: "≤ 1.0", samples: 4, perCall: 4,
			path: fixed(fmt.Sprintf("/fetch?id=warm&size=%d&n=4", mebibyte))},
		{name: fmt.Sprintf("CPU-bound JS: sieve to %d in a child (ms)", cpuSize), samples: 3, perCall: 1,
			path: fixed(fmt.Sprintf("/cpu?id=warm&size=%d", cpuSize))},
		{name: "cold start: get(new ID) to first RPC reply (ms)", target: "≤ 0.5", samples: 8, perCall: 1,
			pause: coldPause, path: func(rt string, round, i int) string { return "/get-new?id=" + uniqueID(rt) }},
		{name: "cold start: load() to first RPC reply (ms)", target: "≤ 0.5", samples: 8, perCall: 1,
			pause: coldPause, path: fixed("/load-call")},
		{name: "cold start: load() to first RPC reply, 8 back to back (ms)", samples: 8, perCall: 1,
			burst: true, path: fixed("/load-call")},
	}
}

// latencyPhase runs each latency step on both runtimes: in every round,
// one runtime takes all its samples of the step and then the other does.
func (b *bench) latencyPhase(ctx context.Context) error {
	servers, err := b.startWarm(ctx)
	if err != nil {
		return err
	}
	defer b.stopAll(servers)
	for _, step := range latencySteps() {
		m := b.metric(step.name, "ms", step.target)
		for round := range b.opts.rounds {
			for _, s := range inOrder(servers, round) {
				if err := b.sampleLatency(ctx, s, m, step, round); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (b *bench) sampleLatency(ctx context.Context, s *server, m *metric, step latencyStep, round int) error {
	n := b.scaled(step.samples)
	if step.burst {
		n = step.samples
	}
	for i := range n {
		sleep(ctx, step.pause)
		ms, err := b.timeGet(ctx, s, step.path(s.runtime, round, i))
		if err != nil {
			return err
		}
		m.add(s.runtime, ms/float64(step.perCall))
		if b.opts.verbose {
			fmt.Fprintf(b.log, "bench: round %d %s %s: %.3f ms\n", round, s.runtime, step.name, ms/float64(step.perCall))
		}
	}
	return nil
}

// warmUp sends each kind of request once, so neither runtime pays for a
// first use inside a measurement.
func (b *bench) warmUp(ctx context.Context, s *server) error {
	paths := []string{
		"/noop",
		"/rpc?id=warm&n=5",
		"/fetch?id=warm&size=16&n=2",
		fmt.Sprintf("/fetch?id=warm&size=%d&n=1", mebibyte),
		"/cpu?id=warm&size=1000",
		"/get-new?id=" + uniqueID("warm-up"),
		"/load-call",
	}
	for _, p := range paths {
		if _, err := b.get(ctx, s, p); err != nil {
			return fmt.Errorf("warm up: %w", err)
		}
	}
	return nil
}
