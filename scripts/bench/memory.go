package main

import (
	"context"
	"fmt"
	"time"
)

// workersPerRound is how many idle workers each memory round adds.
const workersPerRound = 10

// settleTime is the pause before a memory reading, so started processes and
// isolates have finished their start-up work.
const settleTime = 2 * time.Second

const megabyte = 1e6

// memoryPhase measures the PSS of each runtime's process tree with only the
// parent worker, and then its growth per additional idle dynamic worker.
// Each round adds workersPerRound workers to both runtimes with get(new ID)
// and one RPC call each.
func (b *bench) memoryPhase(ctx context.Context) error {
	servers, err := b.startWarm(ctx)
	if err != nil {
		return err
	}
	defer b.stopAll(servers)
	sleep(ctx, settleTime)

	idle := b.metric("PSS of the runtime's process tree before the workers are added (MB)", "MB", "")
	super := b.metric("PSS of the dynworker supervisor process alone, `dynworker run` (MB)", "MB", "")
	perWorker := b.metric("PSS growth per additional idle worker (MB)", "MB", "≤ 2.0")
	before := make(map[*server]int64)
	for _, s := range servers {
		total, _, err := treePSS(s.cmd.Process.Pid)
		if err != nil {
			return err
		}
		before[s] = total
		idle.add(s.runtime, float64(total)/megabyte)
	}
	if own, err := pss(servers[0].cmd.Process.Pid); err == nil {
		super.add(dynworker, float64(own)/megabyte)
	}

	n := b.scaled(workersPerRound)
	for round := range b.opts.rounds {
		for _, s := range inOrder(servers, round) {
			for range n {
				if _, err := b.get(ctx, s, "/get-new?id="+uniqueID("memory")); err != nil {
					return err
				}
			}
		}
		sleep(ctx, settleTime)
		for _, s := range servers {
			total, _, err := treePSS(s.cmd.Process.Pid)
			if err != nil {
				return err
			}
			perWorker.add(s.runtime, float64(total-before[s])/float64(n)/megabyte)
			before[s] = total
		}
	}
	perWorker.note = fmt.Sprintf("%d rounds of %d workers", b.opts.rounds, n)
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
