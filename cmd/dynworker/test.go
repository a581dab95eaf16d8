package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/dynworker/dynworker/internal/rpcerr"
	"github.com/dynworker/dynworker/supervisor"
)

// runTest runs each FILE as a parent worker and calls the test() handler of
// each of its exports, as workerd test does.
func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of each test")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	args = fs.Args()
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: dynworker test [--timeout DURATION] FILE...")
		return 2
	}
	sup, err := supervisor.New(supervisor.Config{Logger: newLogger(stderr)})
	if err != nil {
		fmt.Fprintf(stderr, "dynworker test: %v\n", err)
		return 1
	}
	defer sup.Close()

	passed, failed := 0, 0
	for i, file := range args {
		p, f := testFile(ctx, sup, fmt.Sprintf("test-%d", i), file, *timeout, stdout)
		passed += p
		failed += f
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// testFile runs the tests of one file and returns how many passed and
// failed. A file that cannot start counts as one failure.
func testFile(ctx context.Context, sup *supervisor.Supervisor, id, file string, timeout time.Duration, stdout io.Writer) (passed, failed int) {
	p, err := loadProject(file)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s: %v\n", file, err)
		return 0, 1
	}
	handle, err := sup.LoadParent(ctx, id, p.code, p.loaders)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s: %s\n", file, errorText(err))
		return 0, 1
	}
	exports, err := sup.Exports(ctx, handle)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s: %s\n", file, errorText(err))
		return 0, 1
	}
	for _, ex := range exports {
		if !slices.Contains(ex.Handlers, "test") {
			continue
		}
		start := time.Now()
		testCtx, cancel := context.WithTimeout(ctx, timeout)
		err := sup.Test(testCtx, handle, ex.Name)
		cancel()
		took := time.Since(start).Round(time.Millisecond)
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("test did not finish within %s (set --timeout to change the limit)", timeout)
		}
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s %s (%s)\n  %s\n", file, ex.Name, took, errorText(err))
			failed++
			continue
		}
		fmt.Fprintf(stdout, "PASS %s %s (%s)\n", file, ex.Name, took)
		passed++
	}
	return passed, failed
}

func errorText(err error) string {
	var se *rpcerr.ScriptError
	if errors.As(err, &se) {
		if se.Stack != "" {
			return se.Stack
		}
		return se.Error()
	}
	return err.Error()
}
