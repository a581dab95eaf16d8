package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LimitMemory caps the memory of the calling process. A watchdog ends the
// process when its Go heap passes limit bytes. An address-space limit of
// limit bytes more than the process uses now stops a single allocation too
// large for the watchdog to see in time. Past either, the process ends with
// "out of memory". A soft limit of the same size makes the garbage
// collector work harder before that point.
//
// NOTE: the address-space limit is left out under the race detector, whose
// shadow memory does not fit under it; the watchdog still applies.
func LimitMemory(limit int64) error {
	if limit <= 0 {
		return nil
	}
	debug.SetMemoryLimit(limit)
	watchMemory(limit)
	if raceEnabled {
		return nil
	}
	base, err := addressSpace()
	if err != nil {
		return fmt.Errorf("limit memory: %w", err)
	}
	hard := uint64(base + limit)
	if err := unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: hard, Max: hard}); err != nil {
		return fmt.Errorf("limit memory to %d bytes: %w", limit, err)
	}
	return nil
}

// addressSpace returns the process's current virtual memory size in bytes.
func addressSpace() (int64, error) {
	v, err := statusField("VmSize")
	if err != nil {
		return 0, err
	}
	kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse VmSize %q: %w", v, err)
	}
	return kb << 10, nil
}

// statusField returns the value of one field of /proc/self/status, which
// describes the process's main thread.
func statusField(name string) (string, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), name+":"); ok {
			return strings.TrimSpace(rest), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no %s in /proc/self/status", name)
}
