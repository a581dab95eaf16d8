package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/dynworker/dynworker/workerhost"
)

const usage = `usage: dynworker COMMAND [flags] [args]

commands:
  serve [--http ADDR] [--grpc ADDR]   run the supervisor daemon: the gRPC host API, and an
                                      HTTP endpoint that runs worker code POSTed to it
  run [--http ADDR] ENTRY             run ENTRY (a .js module or a directory with a
                                      wrangler.jsonc, wrangler.json or wrangler.toml) as a
                                      parent worker with env.LOADER, serving HTTP on ADDR
  test FILE...                        run the test() handler of each export of each FILE

Run dynworker COMMAND -h to list a command's flags.
`

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "run":
		return runRun(ctx, args[1:], stdout, stderr)
	case "test":
		return runTest(ctx, args[1:], stdout, stderr)
	case "workerhost":
		// The supervisor starts this binary as a workerhost; not for people.
		return workerhost.Main(args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "dynworker: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("DYNWORKER_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
