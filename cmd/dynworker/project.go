package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/dynworker/dynworker/internal/value"
	"github.com/dynworker/dynworker/loader"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// defaultCompatibilityDate is used for a parent worker given as a bare
// module, which has no configuration to name one.
const defaultCompatibilityDate = "2025-06-01"

// project is a parent worker read from disk.
type project struct {
	code *pb.WorkerCode
	// loaders maps each LOADER binding name to its loader namespace.
	loaders map[string]string
}

// wranglerConfig is the part of a wrangler configuration dynworker reads.
type wranglerConfig struct {
	Name               string         `json:"name" toml:"name"`
	Main               string         `json:"main" toml:"main"`
	CompatibilityDate  string         `json:"compatibility_date" toml:"compatibility_date"`
	CompatibilityFlags []string       `json:"compatibility_flags" toml:"compatibility_flags"`
	Vars               map[string]any `json:"vars" toml:"vars"`
	WorkerLoaders      []struct {
		Binding string `json:"binding" toml:"binding"`
	} `json:"worker_loaders" toml:"worker_loaders"`
}

// loadProject reads entry: a module file, or a directory with a wrangler
// configuration.
func loadProject(entry string) (*project, error) {
	info, err := os.Stat(entry)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", entry, err)
	}
	cfg := &wranglerConfig{CompatibilityDate: defaultCompatibilityDate}
	root := entry
	if info.IsDir() {
		if cfg, err = readWranglerConfig(entry); err != nil {
			return nil, err
		}
	} else {
		root, cfg.Main = filepath.Dir(entry), filepath.Base(entry)
	}
	if len(cfg.WorkerLoaders) == 0 {
		cfg.WorkerLoaders = append(cfg.WorkerLoaders, struct {
			Binding string `json:"binding" toml:"binding"`
		}{Binding: "LOADER"})
	}

	modules, err := readModules(root)
	if err != nil {
		return nil, err
	}
	env, err := value.FromGo(cfg.Vars)
	if err != nil {
		return nil, fmt.Errorf("read vars: %w", err)
	}
	if cfg.Vars == nil {
		env = nil
	}
	p := &project{
		code: &pb.WorkerCode{
			CompatibilityDate:  cfg.CompatibilityDate,
			CompatibilityFlags: cfg.CompatibilityFlags,
			MainModule:         path.Clean(filepath.ToSlash(cfg.Main)),
			Modules:            modules,
			Env:                env,
		},
		loaders: make(map[string]string),
	}
	for _, l := range cfg.WorkerLoaders {
		if l.Binding == "" {
			return nil, errors.New("read worker_loaders: an entry has no binding name")
		}
		// Each binding gets a namespace of its own, named after the project.
		p.loaders[l.Binding] = cfg.Name + "/" + l.Binding
	}
	return p, nil
}

func readWranglerConfig(dir string) (*wranglerConfig, error) {
	cfg := &wranglerConfig{}
	for _, name := range []string{"wrangler.jsonc", "wrangler.json", "wrangler.toml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if strings.HasSuffix(name, ".toml") {
			err = toml.Unmarshal(data, cfg)
		} else {
			err = json.Unmarshal(stripJSONComments(data), cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, name), err)
		}
		if cfg.Main == "" {
			return nil, fmt.Errorf("parse %s: main is missing: set it to the entry module, for example \"src/index.js\"", filepath.Join(dir, name))
		}
		if cfg.CompatibilityDate == "" {
			return nil, fmt.Errorf("parse %s: compatibility_date is missing: set it, for example \"%s\"", filepath.Join(dir, name), defaultCompatibilityDate)
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("read %s: no wrangler.jsonc, wrangler.json or wrangler.toml in the directory", dir)
}

// readModules reads every module file under root, keyed by its slash path
// relative to root. node_modules and hidden directories are skipped.
func readModules(root string) ([]*pb.Module, error) {
	var modules []*pb.Module
	total := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		kind := moduleKind(d.Name())
		if kind == "" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		total += len(data)
		if total > loader.MaxModulesSize {
			return fmt.Errorf("modules under %s are larger than %d bytes", root, loader.MaxModulesSize)
		}
		rel, _ := filepath.Rel(root, p)
		modules = append(modules, newModule(filepath.ToSlash(rel), kind, data))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read modules: %w", err)
	}
	return modules, nil
}

func moduleKind(name string) string {
	switch filepath.Ext(name) {
	case ".js", ".mjs", ".ts", ".mts", ".tsx", ".jsx":
		return "js"
	case ".cjs":
		return "cjs"
	case ".json":
		return "json"
	case ".txt", ".html", ".md", ".csv":
		return "text"
	case ".wasm":
		return "wasm"
	case ".bin":
		return "data"
	}
	return ""
}

func newModule(name, kind string, data []byte) *pb.Module {
	m := &pb.Module{Name: name}
	switch kind {
	case "js":
		m.Content = &pb.Module_Js{Js: string(data)}
	case "cjs":
		m.Content = &pb.Module_Cjs{Cjs: string(data)}
	case "json":
		m.Content = &pb.Module_Json{Json: string(data)}
	case "text":
		m.Content = &pb.Module_Text{Text: string(data)}
	case "wasm":
		m.Content = &pb.Module_Wasm{Wasm: data}
	default:
		m.Content = &pb.Module_Data{Data: data}
	}
	return m
}

// stripJSONComments removes // and /* */ comments and trailing commas
// outside strings, turning JSONC into JSON.
func stripJSONComments(in []byte) []byte {
	out := make([]byte, 0, len(in))
	inString := false
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case inString:
			out = append(out, c)
			if c == '\\' && i+1 < len(in) {
				i++
				out = append(out, in[i])
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
			out = append(out, c)
		case c == '/' && i+1 < len(in) && in[i+1] == '/':
			for i < len(in) && in[i] != '\n' {
				i++
			}
			out = append(out, '\n')
		case c == '/' && i+1 < len(in) && in[i+1] == '*':
			i += 2
			for i+1 < len(in) && !(in[i] == '*' && in[i+1] == '/') {
				i++
			}
			i++
		default:
			out = append(out, c)
		}
	}
	return removeTrailingCommas(out)
}

func removeTrailingCommas(in []byte) []byte {
	out := make([]byte, 0, len(in))
	inString := false
	for i := 0; i < len(in); i++ {
		c := in[i]
		if inString {
			out = append(out, c)
			if c == '\\' && i+1 < len(in) {
				i++
				out = append(out, in[i])
			} else if c == '"' {
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
		}
		if c == ',' {
			j := i + 1
			for j < len(in) && strings.ContainsRune(" \t\r\n", rune(in[j])) {
				j++
			}
			if j < len(in) && (in[j] == '}' || in[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}
