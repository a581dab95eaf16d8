package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// machine describes the machine and the software versions of the run.
func (b *bench) machine() []string {
	lines := []string{
		fmt.Sprintf("CPU: %s, %d logical CPUs (nproc)", cpuModel(), runtime.NumCPU()),
		"memory: " + memTotal(),
		"kernel: " + readTrimmed("/proc/sys/kernel/osrelease"),
		"Go: " + runtime.Version(),
		fmt.Sprintf("workerd: %s (npm %s)", commandOutput(b.paths.workerd, "--version"), workerdPackage),
		"dynworker: commit " + gitCommit(b.paths.repo),
	}
	return lines
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if key, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return "unknown"
}

func readTrimmed(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}

func commandOutput(path string, args ...string) string {
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// gitCommit returns the short commit of the checkout, marked when the tree
// has uncommitted changes.
func gitCommit(repo string) string {
	commit := commandOutput("git", "-C", repo, "rev-parse", "--short", "HEAD")
	status, err := exec.Command("git", "-C", repo, "status", "--porcelain").Output()
	if err == nil && len(bytes.TrimSpace(status)) > 0 {
		commit += " with uncommitted changes"
	}
	return commit
}

// cpuUsage measures the CPU time that processes other than the benchmark
// and its runtimes used during the run, because that load skews every
// number. The runtimes count as the benchmark's own: it waits for them, so
// their CPU time is in its RUSAGE_CHILDREN, with that of the workerhosts
// they waited for.
type cpuUsage struct {
	start       time.Time
	machineBusy time.Duration // busy time of all CPUs, from /proc/stat
	own         time.Duration // RUSAGE_SELF plus RUSAGE_CHILDREN
	other       time.Duration // set by finish
	wall        time.Duration
}

func startCPUUsage() *cpuUsage {
	return &cpuUsage{start: time.Now(), machineBusy: machineBusy(), own: ownCPU()}
}

func (u *cpuUsage) finish() {
	u.wall = time.Since(u.start)
	u.other = max(0, machineBusy()-u.machineBusy-(ownCPU()-u.own))
}

func (u *cpuUsage) describe() string {
	capacity := u.wall * time.Duration(runtime.NumCPU())
	return fmt.Sprintf("CPU time used by other processes during the run: %.1f s, %.0f%% of the machine's capacity",
		u.other.Seconds(), 100*u.other.Seconds()/capacity.Seconds())
}

// machineBusy returns the time all CPUs spent on anything but idle and
// iowait since boot, from the first line of /proc/stat.
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	var busy int64
	// Count user, nice, system, irq and softirq. Guest time is already in
	// user and nice, and steal is time the hypervisor gave to other machines.
	for _, i := range []int{1, 2, 3, 6, 7} {
		if i < len(fields) {
			n, _ := strconv.ParseInt(fields[i], 10, 64)
			busy += n
		}
	}
	// NOTE: USER_HZ is 100 on every Linux architecture Go supports.
	return time.Duration(busy) * (time.Second / 100)
}

// ownCPU returns the CPU time of this process and of its children that it
// has waited for.
func ownCPU() time.Duration {
	var total time.Duration
	for _, scope := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(scope, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}
