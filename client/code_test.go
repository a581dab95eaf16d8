package client

import (
	"testing"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

func TestCodeProto(t *testing.T) {
	code := &Code{
		CompatibilityDate: "2025-06-01",
		MainModule:        "main.js",
		Modules: map[string]Module{
			"main.js":  JS("export default {}"),
			"cfg.json": {JSON: map[string]int{"a": 1}},
			"blob.bin": {Data: []byte{1}},
		},
		Env:          map[string]any{"KEY": "v"},
		DenyOutbound: true,
	}
	msg, err := code.proto()
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Modules) != 3 || msg.Modules[0].Name != "blob.bin" {
		t.Errorf("modules = %v; want three, sorted by name", msg.Modules)
	}
	if msg.Modules[1].GetJson() != `{"a":1}` {
		t.Errorf("json module = %q", msg.Modules[1].GetJson())
	}
	if _, ok := msg.GlobalOutbound.GetKind().(*pb.GlobalOutbound_None); !ok {
		t.Error("DenyOutbound did not set globalOutbound to none")
	}
	if msg.Env.GetObject().GetFields()[0].Key != "KEY" {
		t.Errorf("env = %v", msg.Env)
	}
}

func TestCodeProtoErrors(t *testing.T) {
	tests := []struct {
		name string
		code *Code
		want string
	}{
		{"nil", nil, "worker code is nil"},
		{"empty module", &Code{Modules: map[string]Module{"a.js": {}}}, `module "a.js" sets 0 of JS, CJS, Text, Data, JSON and Wasm; set exactly one`},
		{"two kinds", &Code{Modules: map[string]Module{"a.js": {JS: "x", Text: "y"}}}, `module "a.js" sets 2 of JS, CJS, Text, Data, JSON and Wasm; set exactly one`},
		{"bad env", &Code{Env: map[string]any{"c": make(chan int)}}, "convert env: convert value: unsupported Go type chan int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.code.proto()
			if err == nil || err.Error() != tt.want {
				t.Errorf("proto() = %v; want %q", err, tt.want)
			}
		})
	}
}
