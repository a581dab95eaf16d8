package dynworker_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGoModTidy fails when go.mod or go.sum differ from what go mod tidy
// writes.
func TestGoModTidy(t *testing.T) {
	out, err := exec.Command("go", "mod", "tidy", "-diff").CombinedOutput()
	if err != nil {
		t.Errorf("go mod tidy -diff: %v: run go mod tidy and commit\n%s", err, out)
	}
}

// TestGofmt fails when a Go file of the module's packages is not formatted
// with gofmt.
func TestGofmt(t *testing.T) {
	const files = `{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}} {{end}}` +
		`{{range .TestGoFiles}}{{$d}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$d}}/{{.}} {{end}}`
	list, err := exec.Command("go", "list", "-f", files, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	out, err := exec.Command("gofmt", append([]string{"-l"}, strings.Fields(string(list))...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("gofmt -l: %v\n%s", err, out)
	}
	if files := strings.TrimSpace(string(out)); files != "" {
		t.Errorf("files not formatted with gofmt (run gofmt -w):\n%s", files)
	}
}
