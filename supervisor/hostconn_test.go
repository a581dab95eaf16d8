package supervisor

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// TestIdleParentKeepsHostConnection checks that a parent whose first call
// out comes after the Host server's handshake timeout still reaches the
// supervisor: the child must connect at start, not on first use.
func TestIdleParentKeepsHostConnection(t *testing.T) {
	old := hostHandshakeTimeout
	hostHandshakeTimeout = 300 * time.Millisecond
	defer func() { hostHandshakeTimeout = old }()

	src, err := os.ReadFile("testdata/parent.js")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := &pb.WorkerCode{CompatibilityDate: "2025-06-01", MainModule: "parent.js",
		Modules: []*pb.Module{{Name: "parent.js", Content: &pb.Module_Js{Js: string(src)}}}}
	parent, err := s.LoadParent(ctx, "parent", code, map[string]string{"LOADER": "idle/LOADER"})
	if err != nil {
		t.Fatal(err)
	}

	time.Sleep(3 * hostHandshakeTimeout)
	req, _ := http.NewRequest("GET", "http://parent/counter?id=late", nil)
	resp, err := s.Fetch(ctx, parent, "", req)
	if err != nil {
		t.Fatalf("call out after idling: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("call out after idling: %d %s", resp.StatusCode, body)
	}
}
