package supervisor_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	"github.com/dynworker/dynworker/supervisor"
)

//go:embed testdata/parent.js
var parentSource string

// newSupervisor starts a supervisor whose workerhosts are this test binary.
func newSupervisor(t testing.TB, cfg supervisor.Config) *supervisor.Supervisor {
	t.Helper()
	s, err := supervisor.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// startParent loads testdata/parent.js as a parent worker with a LOADER.
func startParent(t testing.TB, s *supervisor.Supervisor) string {
	t.Helper()
	code := jsCode("parent.js", parentSource)
	h, err := s.LoadParent(testContext(t), "parent", code, map[string]string{"LOADER": "test/LOADER"})
	if err != nil {
		t.Fatalf("load parent: %v", err)
	}
	return h
}

func jsCode(name, src string) *pb.WorkerCode {
	return &pb.WorkerCode{
		CompatibilityDate: "2025-06-01",
		MainModule:        name,
		Modules:           []*pb.Module{{Name: name, Content: &pb.Module_Js{Js: src}}},
	}
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// getJSON fetches path from the worker behind handle and decodes the JSON
// response into out.
func getJSON(t testing.TB, s *supervisor.Supervisor, handle, path string, out any) {
	t.Helper()
	body := get(t, s, handle, path)
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: decode %q: %v", path, body, err)
	}
}

func get(t testing.TB, s *supervisor.Supervisor, handle, path string) string {
	t.Helper()
	req, err := http.NewRequest("GET", "http://parent"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Fetch(testContext(t), handle, "", req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// pidOf returns the process ID of the running worker with id, or 0.
func pidOf(t testing.TB, s *supervisor.Supervisor, namespace, id string) int {
	t.Helper()
	for _, w := range s.Workers() {
		if w.Namespace == namespace && w.ID == id {
			return supervisor.PID(w)
		}
	}
	return 0
}

// childPIDs returns the processes whose parent is this process and whose
// command line marks them as workerhosts.
func childPIDs(t testing.TB) map[int]bool {
	t.Helper()
	self := os.Getpid()
	pids := make(map[int]bool)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		var state string
		var ppid, pid int
		if _, err := fmtSscan(rest, &state, &ppid); err != nil || ppid != self || state == "Z" {
			continue
		}
		if _, err := fmtSscan(filepath.Base(d), &pid); err == nil {
			pids[pid] = true
		}
	}
	return pids
}

var fmtSscan = fmt.Sscan
