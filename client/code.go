package client

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/dynworker/dynworker/internal/value"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// Code is the code and configuration of a worker, as WorkerCode in
// workerd's Worker Loader API.
type Code struct {
	CompatibilityDate  string
	CompatibilityFlags []string
	// MainModule names the module whose exports are the entrypoints.
	MainModule string
	Modules    map[string]Module
	// Env is the worker's env object.
	Env map[string]any
	// DenyOutbound makes fetch() in the worker fail, as globalOutbound: null.
	DenyOutbound bool
}

// Module is one module of Code. Set exactly one field.
type Module struct {
	JS   string // an ES module
	CJS  string // a CommonJS module
	Text string // imported as a string
	Data []byte // imported as an ArrayBuffer
	JSON any    // imported as the value
	Wasm []byte // a WebAssembly module
}

// JS returns an ES module with source src.
func JS(src string) Module { return Module{JS: src} }

func (c *Code) proto() (*pb.WorkerCode, error) {
	if c == nil {
		return nil, fmt.Errorf("worker code is nil")
	}
	msg := &pb.WorkerCode{
		CompatibilityDate:  c.CompatibilityDate,
		CompatibilityFlags: c.CompatibilityFlags,
		MainModule:         c.MainModule,
	}
	names := make([]string, 0, len(c.Modules))
	for name := range c.Modules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m, err := c.Modules[name].proto(name)
		if err != nil {
			return nil, err
		}
		msg.Modules = append(msg.Modules, m)
	}
	if c.Env != nil {
		env, err := value.FromGo(c.Env)
		if err != nil {
			return nil, fmt.Errorf("convert env: %w", err)
		}
		msg.Env = env
	}
	if c.DenyOutbound {
		msg.GlobalOutbound = &pb.GlobalOutbound{Kind: &pb.GlobalOutbound_None{None: &pb.Empty{}}}
	}
	return msg, nil
}

func (m Module) proto(name string) (*pb.Module, error) {
	out := &pb.Module{Name: name}
	set := 0
	if m.JS != "" {
		out.Content, set = &pb.Module_Js{Js: m.JS}, set+1
	}
	if m.CJS != "" {
		out.Content, set = &pb.Module_Cjs{Cjs: m.CJS}, set+1
	}
	if m.Text != "" {
		out.Content, set = &pb.Module_Text{Text: m.Text}, set+1
	}
	if m.Data != nil {
		out.Content, set = &pb.Module_Data{Data: m.Data}, set+1
	}
	if m.Wasm != nil {
		out.Content, set = &pb.Module_Wasm{Wasm: m.Wasm}, set+1
	}
	if m.JSON != nil {
		b, err := json.Marshal(m.JSON)
		if err != nil {
			return nil, fmt.Errorf("module %q: encode JSON: %w", name, err)
		}
		out.Content, set = &pb.Module_Json{Json: string(b)}, set+1
	}
	if set != 1 {
		return nil, fmt.Errorf("module %q sets %d of JS, CJS, Text, Data, JSON and Wasm; set exactly one", name, set)
	}
	return out, nil
}
