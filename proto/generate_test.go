package proto_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedCodeCurrent regenerates the Go code from the .proto files and
// fails when it differs from the committed files.
func TestGeneratedCodeCurrent(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Fatalf("protoc not found on PATH: install Debian's protobuf-compiler: %v", err)
	}
	out := t.TempDir()
	cmd := exec.Command("../scripts/genproto.sh", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/genproto.sh: %v\n%s", err, msg)
	}

	files := []string{
		"dynworker/v1/dynworker.pb.go",
		"dynworker/v1/dynworker_grpc.pb.go",
		"workerhost/v1/workerhost.pb.go",
		"workerhost/v1/workerhost_grpc.pb.go",
	}
	for _, name := range files {
		want, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the output of scripts/genproto.sh: run the script and commit", name)
		}
	}
}
