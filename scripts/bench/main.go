// Command bench measures dynworker against workerd on one machine in one run
// and prints medians with the ratio dynworker/workerd.
//
// It installs the workerd npm package into .cache/bench/workerd when it is
// missing, which needs node and npm, and builds dynworker into
// .cache/bench/bin. Both runtimes then run the same parent worker
// (testdata/parent.js), which the program drives over HTTP on 127.0.0.1,
// alternating between the runtimes round by round. The Go host-app rows use
// the client package against `dynworker serve`.
//
//	go run ./scripts/bench                # the full run, about 2.5 minutes on 2 cores
//	go run ./scripts/bench -quick         # fewer rounds and samples, about 1 minute
//	go run ./scripts/bench -update-docs   # also rewrite the results in docs/benchmarks.md
//
// The method is described in docs/benchmarks.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command-line settings of one benchmark run.
type options struct {
	quick      bool
	rounds     int
	phases     map[string]bool
	updateDocs bool
	verbose    bool
}

// allPhases lists the phases in the order they run.
var allPhases = []string{"latency", "throughput", "memory", "grpc", "startup"}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		return 2
	}
	b, err := newBench(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	defer b.close()

	start := time.Now()
	b.usage = startCPUUsage()
	err = b.runPhases(ctx)
	b.close()
	b.usage.finish()
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		fmt.Fprintf(stdout, "Partial results, up to the failure:\n\n%s", b.report(time.Since(start)))
		return 1
	}
	report := b.report(time.Since(start))
	fmt.Fprint(stdout, report)
	if opts.updateDocs {
		if err := updateDocs(b.paths.docs, report); err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "bench: wrote the results to %s\n", b.paths.docs)
	}
	return 0
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "fewer rounds and samples: about 1 minute instead of 2.5")
	rounds := fs.Int("rounds", 0, "rounds per measurement, alternating the runtimes (default 5, or 2 with -quick)")
	only := fs.String("only", "", "comma-separated phases to run: latency, throughput, memory, grpc, startup (default all)")
	verbose := fs.Bool("v", false, "print every latency sample to stderr")
	update := fs.Bool("update-docs", false, "replace the results block in docs/benchmarks.md with this run's report")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		return nil, fmt.Errorf("unexpected argument")
	}
	opts := &options{quick: *quick, rounds: *rounds, updateDocs: *update, verbose: *verbose}
	if opts.rounds <= 0 {
		opts.rounds = 5
		if opts.quick {
			opts.rounds = 2
		}
	}
	phases, err := parsePhases(*only)
	if err != nil {
		fmt.Fprintf(stderr, "bench: -only: %v\n", err)
		return nil, err
	}
	opts.phases = phases
	return opts, nil
}

func parsePhases(list string) (map[string]bool, error) {
	phases := make(map[string]bool)
	if list == "" {
		for _, p := range allPhases {
			phases[p] = true
		}
		return phases, nil
	}
	known := make(map[string]bool)
	for _, p := range allPhases {
		known[p] = true
	}
	for _, p := range splitComma(list) {
		if !known[p] {
			return nil, fmt.Errorf("unknown phase %q: use latency, throughput, memory, grpc or startup", p)
		}
		phases[p] = true
	}
	return phases, nil
}
