package main

import (
	"fmt"
	"math"
	"slices"
)

// metric is one row of the report: samples per runtime and how to compare
// them.
type metric struct {
	name   string
	unit   string // "ms", "calls/s", "MB" or "processes"
	higher bool   // a higher value is better, as for throughput
	target string // the bound on the ratio dynworker/workerd, or ""
	// compare is the workerd row a dynworker-only row is compared with,
	// such as warm RPC from a parent for warm RPC over gRPC.
	compare *metric
	note    string

	samples map[string][]float64 // by runtime
}

// metric returns the metric named name, adding it to the report the first
// time.
func (b *bench) metric(name, unit, target string) *metric {
	for _, m := range b.metrics {
		if m.name == name {
			return m
		}
	}
	m := &metric{name: name, unit: unit, target: target, samples: make(map[string][]float64)}
	b.metrics = append(b.metrics, m)
	return m
}

// find returns the metric named name, or nil.
func (b *bench) find(name string) *metric {
	for _, m := range b.metrics {
		if m.name == name {
			return m
		}
	}
	return nil
}

func (m *metric) add(runtime string, v float64) {
	m.samples[runtime] = append(m.samples[runtime], v)
}

// median returns the median sample of runtime, or NaN without samples. For
// a dynworker-only row, the workerd median is that of the compared row.
func (m *metric) median(runtime string) float64 {
	s := m.samples[runtime]
	if len(s) == 0 && runtime == workerd && m.compare != nil {
		return m.compare.median(workerd)
	}
	return median(s)
}

// ratio returns median(dynworker) / median(workerd).
func (m *metric) ratio() float64 {
	return m.median(dynworker) / m.median(workerd)
}

func median(samples []float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// format prints v with about three significant digits.
func format(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "—"
	case a == 0:
		return "0"
	case a < 1:
		return fmt.Sprintf("%.3f", v)
	case a < 10:
		return fmt.Sprintf("%.2f", v)
	case a < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}
