package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	"github.com/dynworker/dynworker/supervisor"
)

// memoryWorkers is how many workerhosts BenchmarkWorkerhostPSS measures at
// once. Their PSS shares the binary's file pages among them, as the
// workers of a busy supervisor do.
const memoryWorkers = 8

// BenchmarkWorkerhostPSS starts a supervisor in this process whose
// workerhosts run a freshly built dynworker binary, and reports the mean
// PSS of each workerhost process once it has been idle for settleTime.
// "loaded" gets memoryWorkers workers, each running the benchmark's worker
// after one ping. "blank" fills a warm pool of memoryWorkers processes that
// never receive code, and fails if the pool holds more. Pss_Anon is the
// part that each further worker adds to a supervisor's tree. File pages,
// mostly the binary's, are shared further as more processes map them.
//
//	go test -run '^$' -bench WorkerhostPSS -benchtime 1x ./scripts/bench
func BenchmarkWorkerhostPSS(b *testing.B) {
	bin := buildDynworker(b)
	for _, tc := range []struct {
		name string
		pool int
	}{{"loaded", 0}, {"blank", memoryWorkers}} {
		b.Run(tc.name, func(b *testing.B) {
			var sizes map[string]int64
			for b.Loop() {
				sizes = measureWorkerhosts(b, bin, tc.pool)
			}
			for _, name := range []string{"Pss", "Pss_Anon", "Pss_File", "Rss"} {
				b.ReportMetric(float64(sizes[name])/megabyte, name+"-MB/proc")
			}
			b.ReportMetric(0, "ns/op") // the time of an iteration is mostly settleTime
		})
	}
}

// measureWorkerhosts starts a supervisor with a warm pool of pool
// processes, loads memoryWorkers workers when pool is 0, waits, and returns
// the mean smaps_rollup sizes over its workerhosts. A pool starts filling
// at the first worker, so with a pool it loads one worker and evicts it.
func measureWorkerhosts(b *testing.B, bin string, pool int) map[string]int64 {
	b.Helper()
	s, err := supervisor.New(supervisor.Config{Executable: bin, WarmPool: pool})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()

	workers := memoryWorkers
	if pool > 0 {
		workers = 1
	}
	for i := range workers {
		loadIdle(b, s, fmt.Sprintf("idle-%d", i))
	}
	if pool > 0 {
		if _, err := s.Evict("bench", "idle-0"); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(settleTime)
	return meanRollup(b, bin)
}

// loadIdle loads the benchmark's worker as id and calls its ping once.
func loadIdle(b *testing.B, s *supervisor.Supervisor, id string) {
	b.Helper()
	ctx := context.Background()
	getCode := func(context.Context) (*pb.WorkerCode, error) { return childProto(), nil }
	h, err := s.Get(ctx, "bench", id, getCode)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Call(ctx, h, "", "ping", nil); err != nil {
		b.Fatal(err)
	}
}

// meanRollup returns the mean smaps_rollup sizes of this process's
// children that run bin. It fails unless there are memoryWorkers of them.
func meanRollup(b *testing.B, bin string) map[string]int64 {
	b.Helper()
	sum := make(map[string]int64)
	var count int64
	for _, pid := range descendants(os.Getpid()) {
		if !runsExecutable(pid, bin) {
			continue
		}
		sizes, err := smapsRollup(pid)
		if err != nil {
			b.Fatal(err)
		}
		for name, size := range sizes {
			sum[name] += size
		}
		count++
	}
	if count != memoryWorkers {
		b.Fatalf("found %d workerhost processes, want %d", count, memoryWorkers)
	}
	for name := range sum {
		sum[name] /= count
	}
	return sum
}

// buildDynworker builds the dynworker command into a temporary directory
// and returns its path.
func buildDynworker(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "dynworker")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/dynworker/dynworker/cmd/dynworker")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build dynworker: %v\n%s", err, out)
	}
	return bin
}
