package main

import (
	"fmt"
	"math"
	"os"
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
	if b.usage != nil {
		fmt.Fprintf(&out, "- %s\n", b.usage.describe())
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
