package loader

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

func validCode() *pb.WorkerCode {
	return &pb.WorkerCode{
		CompatibilityDate: "2025-06-01",
		MainModule:        "main.js",
		Modules:           []*pb.Module{{Name: "main.js", Content: &pb.Module_Js{Js: "export default {}"}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		change   func(c *pb.WorkerCode) *pb.WorkerCode
		wantName string
		wantMsg  string
	}{
		{"valid", func(c *pb.WorkerCode) *pb.WorkerCode { return c }, "", ""},
		{"nil", func(*pb.WorkerCode) *pb.WorkerCode { return nil }, "TypeError", "Cannot initialize WorkerCode with required members from an undefined or null value."},
		{"no date", func(c *pb.WorkerCode) *pb.WorkerCode { c.CompatibilityDate = ""; return c }, "Error", "Invalid compatibility date: undefined"},
		{"bad date", func(c *pb.WorkerCode) *pb.WorkerCode { c.CompatibilityDate = "2025/06/01"; return c }, "Error", "Invalid compatibility date: 2025/06/01"},
		{"future date", func(c *pb.WorkerCode) *pb.WorkerCode { c.CompatibilityDate = "2999-01-01"; return c }, "Error", `This Worker requires compatibility date "2999-01-01", but the newest date supported by this server binary is "` + newestCompatibilityDate() + `".`},
		{"no modules", func(c *pb.WorkerCode) *pb.WorkerCode { c.Modules = nil; return c }, "TypeError", "Dynamic Worker code must contain at least one module."},
		{"empty module", func(c *pb.WorkerCode) *pb.WorkerCode {
			c.Modules = append(c.Modules, &pb.Module{Name: "x.js"})
			return c
		}, "TypeError", "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module 'x.js' contained 0 properties."},
		{"duplicate module", func(c *pb.WorkerCode) *pb.WorkerCode {
			c.Modules = append(c.Modules, c.Modules[0])
			return c
		}, "TypeError", `Module "main.js" appears twice.`},
		{"unnamed module", func(c *pb.WorkerCode) *pb.WorkerCode { c.Modules[0].Name = ""; return c }, "TypeError", "Module names must not be empty."},
		{"control character in name", func(c *pb.WorkerCode) *pb.WorkerCode {
			c.Modules = append(c.Modules, &pb.Module{Name: "a\x00.js", Content: &pb.Module_Js{Js: ""}})
			return c
		}, "TypeError", `Module name "a\x00.js" contains a control character.`},
		{"negative limit", func(c *pb.WorkerCode) *pb.WorkerCode { c.Limits = &pb.Limits{WallMs: -1}; return c }, "TypeError", "Limits must not be negative: cpuMs 0, subRequests 0, wallMs -1."},
		{"python", func(c *pb.WorkerCode) *pb.WorkerCode {
			c.Modules = append(c.Modules, &pb.Module{Name: "a.py", Content: &pb.Module_Py{Py: ""}})
			return c
		}, "TypeError", `Module "a.py" is a Python module: dynworker runs no Python, so give JavaScript or WebAssembly modules only.`},
		{"code too large", func(c *pb.WorkerCode) *pb.WorkerCode {
			c.Modules = append(c.Modules, &pb.Module{Name: "big.bin", Content: &pb.Module_Data{Data: make([]byte, MaxModulesSize)}})
			return c
		}, "Error", "Dynamic Worker code size (67108881 bytes) exceeds the maximum allowed size of 67108864 bytes."},
		{"env too large", func(c *pb.WorkerCode) *pb.WorkerCode {
			c.Env = &pb.Value{Kind: &pb.Value_String_{String_: strings.Repeat("x", MaxEnvSize)}}
			return c
		}, "Error", "Dynamic Worker env size (1048580 bytes) exceeds the maximum allowed size of 1048576 bytes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.change(validCode()))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate = %v; want nil", err)
				}
				return
			}
			var se *rpcerr.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("Validate = %v; want a script error", err)
			}
			if se.Name != tt.wantName || se.Message != tt.wantMsg {
				t.Errorf("Validate = %s: %q; want %s: %q", se.Name, se.Message, tt.wantName, tt.wantMsg)
			}
		})
	}
}

// FuzzValidate decodes arbitrary bytes as WorkerCode, as the gRPC server
// does, and validates them: nothing may panic.
func FuzzValidate(f *testing.F) {
	seed, _ := proto.Marshal(validCode())
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var code pb.WorkerCode
		if err := proto.Unmarshal(data, &code); err != nil {
			return
		}
		_ = Validate(&code)
	})
}
