package loader

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

const (
	// MaxModulesSize is the largest total size of a worker's modules.
	MaxModulesSize = 64 << 20
	// MaxEnvSize is the largest serialized size of a worker's env.
	MaxEnvSize = 1 << 20
)

var compatibilityDatePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Validate checks code as workerd's loader does before it starts a worker,
// with workerd's messages. A missing or unknown main module is not checked
// here: as in workerd, it fails the worker's start instead.
func Validate(code *pb.WorkerCode) error {
	if code == nil {
		return scriptError("TypeError", "Cannot initialize WorkerCode with required members from an undefined or null value.")
	}
	date := code.CompatibilityDate
	if date == "" {
		date = "undefined"
	}
	if !compatibilityDatePattern.MatchString(date) {
		return scriptError("Error", "Invalid compatibility date: "+date)
	}
	if newest := newestCompatibilityDate(); date > newest {
		return scriptError("Error", fmt.Sprintf("This Worker requires compatibility date %q, but the newest date supported by this server binary is %q.", date, newest))
	}
	if len(code.Modules) == 0 {
		return scriptError("TypeError", "Dynamic Worker code must contain at least one module.")
	}
	if err := validateModules(code); err != nil {
		return err
	}
	if l := code.GetLimits(); l.GetCpuMs() < 0 || l.GetSubRequests() < 0 || l.GetWallMs() < 0 {
		return scriptError("TypeError", fmt.Sprintf("Limits must not be negative: cpuMs %d, subRequests %d, wallMs %d.", l.GetCpuMs(), l.GetSubRequests(), l.GetWallMs()))
	}
	if size := proto.Size(code.Env); size > MaxEnvSize {
		return scriptError("Error", fmt.Sprintf("Dynamic Worker env size (%d bytes) exceeds the maximum allowed size of %d bytes.", size, MaxEnvSize))
	}
	return nil
}

// newestCompatibilityDate is today's date where it is latest on Earth
// (UTC+14). workerd rejects dates after its own release; dynworker has no
// date-gated behaviour, so it only rejects dates that have not come yet.
func newestCompatibilityDate() string {
	return time.Now().UTC().Add(14 * time.Hour).Format("2006-01-02")
}

func scriptError(name, msg string) error {
	return &rpcerr.ScriptError{Name: name, Message: msg, Code: codes.InvalidArgument}
}

func validateModules(code *pb.WorkerCode) error {
	seen := make(map[string]bool, len(code.Modules))
	total := 0
	for _, m := range code.Modules {
		if m.Name == "" {
			return scriptError("TypeError", "Module names must not be empty.")
		}
		if strings.ContainsFunc(m.Name, unicode.IsControl) {
			return scriptError("TypeError", fmt.Sprintf("Module name %q contains a control character.", m.Name))
		}
		if seen[m.Name] {
			return scriptError("TypeError", fmt.Sprintf("Module %q appears twice.", m.Name))
		}
		seen[m.Name] = true
		if m.Content == nil {
			return scriptError("TypeError", fmt.Sprintf("Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module '%s' contained 0 properties.", m.Name))
		}
		if _, ok := m.Content.(*pb.Module_Py); ok {
			return scriptError("TypeError", fmt.Sprintf("Module %q is a Python module: dynworker runs no Python, so give JavaScript or WebAssembly modules only.", m.Name))
		}
		total += moduleSize(m)
	}
	if total > MaxModulesSize {
		return scriptError("Error", fmt.Sprintf("Dynamic Worker code size (%d bytes) exceeds the maximum allowed size of %d bytes.", total, MaxModulesSize))
	}
	return nil
}

func moduleSize(m *pb.Module) int {
	switch c := m.Content.(type) {
	case *pb.Module_Js:
		return len(c.Js)
	case *pb.Module_Cjs:
		return len(c.Cjs)
	case *pb.Module_Text:
		return len(c.Text)
	case *pb.Module_Data:
		return len(c.Data)
	case *pb.Module_Json:
		return len(c.Json)
	case *pb.Module_Wasm:
		return len(c.Wasm)
	}
	return 0
}
