package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// descendants returns the PIDs of every process below pid in the process
// tree, read from /proc/*/stat. A workerhost is in a process group of its
// own, so the parent PID is the only link to its supervisor.
func descendants(pid int) []int {
	children := make(map[int][]int)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentPID(child); ok {
			children[ppid] = append(children[ppid], child)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		out = append(out, children[next]...)
		queue = append(queue, children[next]...)
	}
	return out
}

// parentPID reads the parent PID from /proc/PID/stat. The command name in
// that file is in parentheses and may contain spaces, so the fields are
// counted after the last ')'.
func parentPID(pid int) (int, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}

// pss returns the proportional set size of pid in bytes, from
// /proc/PID/smaps_rollup.
func pss(pid int) (int64, error) {
	fields, err := smapsRollup(pid)
	if err != nil {
		return 0, err
	}
	size, ok := fields["Pss"]
	if !ok {
		return 0, fmt.Errorf("read PSS of process %d: no Pss line in smaps_rollup", pid)
	}
	return size, nil
}

// smapsRollup returns the sizes in /proc/PID/smaps_rollup, such as "Pss"
// and "Pss_Anon", in bytes.
func smapsRollup(pid int) (map[string]int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sizes := make(map[string]int64)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			continue // the header line, which names the address range
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read smaps_rollup of process %d: line %q: %w", pid, sc.Text(), err)
		}
		sizes[name] = kb << 10
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read smaps_rollup of process %d: %w", pid, err)
	}
	return sizes, nil
}

// treePSS returns the summed PSS of pid and its descendants in bytes, and
// how many processes that is. A process that exits while it is read is left
// out.
func treePSS(pid int) (int64, int, error) {
	total, err := pss(pid)
	if err != nil {
		return 0, 0, err
	}
	count := 1
	for _, child := range descendants(pid) {
		if size, err := pss(child); err == nil {
			total += size
			count++
		}
	}
	return total, count, nil
}

// runsExecutable reports whether process pid runs the program at path. The
// benchmark checks it before it kills a leftover child by PID, in case the
// PID was reused.
func runsExecutable(pid int, path string) bool {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return false
	}
	want, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	return exe == want
}
