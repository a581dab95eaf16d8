package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// The markers around the block of docs/benchmarks.md that -update-docs
// replaces.
const (
	docsBegin = "<!-- bench results: begin -->"
	docsEnd   = "<!-- bench results: end -->"
)

// report returns the machine, the command and the results table, in
// Markdown.
func (b *bench) report(took time.Duration) string {
	var out strings.Builder
	fmt.Fprintf(&out, "Run on %s, took %v.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), took.Round(time.Second))
	fmt.Fprintf(&out, "- command: `go run ./scripts/bench%s`\n", b.flagString())
	for _, line := range b.machine() {
		fmt.Fprintf(&out, "- %s\n", line)
	}
	out.WriteString("\n| measurement | dynworker | workerd | dynworker/workerd | target |\n")
	out.WriteString("| --- | ---: | ---: | ---: | --- |\n")
	for _, m := range b.metrics {
		out.WriteString(m.row())
	}
	return out.String()
}

// row returns the metric as a line of the results table.
func (m *metric) row() string {
	dyn, wd := m.median(dynworker), m.median(workerd)
	wdCell := format(wd)
	if m.compare != nil && len(m.samples[workerd]) == 0 && !math.IsNaN(wd) {
		wdCell += " (" + m.compare.shortName() + ")"
	}
	ratio := "—"
	if !math.IsNaN(dyn) && !math.IsNaN(wd) && wd != 0 {
		ratio = format(m.ratio())
	}
	name := m.name
	if m.note != "" {
		name += "; " + m.note
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", name, format(dyn), wdCell, ratio, m.target)
}

// shortName returns the name without its unit.
func (m *metric) shortName() string {
	name, _, _ := strings.Cut(m.name, " (")
	return name
}

// flagString returns the options of this run as command-line flags.
func (b *bench) flagString() string {
	var flags []string
	if b.opts.quick {
		flags = append(flags, "-quick")
	}
	if len(b.opts.phases) != len(allPhases) {
		var names []string
		for _, p := range allPhases {
			if b.opts.phases[p] {
				names = append(names, p)
			}
		}
		flags = append(flags, "-only "+strings.Join(names, ","))
	}
	if len(flags) == 0 {
		return ""
	}
	return " " + strings.Join(flags, " ")
}

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

// updateDocs replaces the text between docsBegin and docsEnd in the file at
// path with report.
func updateDocs(path, report string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("update docs: %w", err)
	}
	text := string(data)
	begin := strings.Index(text, docsBegin)
	end := strings.Index(text, docsEnd)
	if begin < 0 || end < begin {
		return fmt.Errorf("update docs: %s has no %q ... %q block to replace", path, docsBegin, docsEnd)
	}
	text = text[:begin+len(docsBegin)] + "\n" + report + text[end:]
	return os.WriteFile(path, []byte(text), 0o644)
}
