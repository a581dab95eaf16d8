package main

import (
	"context"
)

// startupPhase times each runtime from the start of its process to the
// first response it serves. For dynworker that is the response of the
// built-in parent worker of `dynworker serve` to GET / (status 405). For
// workerd it is the response of the benchmark's parent worker to /noop.
func (b *bench) startupPhase(ctx context.Context) error {
	m := b.metric("start of the server process to its first served request (ms)", "ms", "")
	starts := map[string]func() (*server, error){
		dynworker: b.startDynworkerServe,
		workerd:   b.startWorkerd,
	}
	paths := map[string]string{dynworker: "/", workerd: "/noop"}
	for round := range b.opts.rounds {
		order := []string{dynworker, workerd}
		if round%2 == 1 {
			order = []string{workerd, dynworker}
		}
		for _, rt := range order {
			s, err := starts[rt]()
			if err != nil {
				return err
			}
			took, err := b.waitServing(ctx, s, paths[rt])
			b.stop(s)
			if err != nil {
				return err
			}
			m.add(rt, millis(took))
		}
	}
	return nil
}
