package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

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

	modules, err := readModules(root, cfg.Main)
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

// readModules reads the module graph of main under root: main and every
// file it imports, keyed by slash path relative to root. Only files the
// graph reaches are read, so running a module from a busy directory does
// not ship unrelated files to the worker.
func readModules(root, main string) ([]*pb.Module, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("read modules: %w", err)
	}
	files, err := moduleGraph(absRoot, main)
	if err != nil {
		return nil, err
	}
	var modules []*pb.Module
	total := 0
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(absRoot, filepath.FromSlash(rel)))
		if err != nil {
			return nil, fmt.Errorf("read modules: %w", err)
		}
		total += len(data)
		if total > loader.MaxModulesSize {
			return nil, fmt.Errorf("read modules: the modules of %s are larger than %d bytes", main, loader.MaxModulesSize)
		}
		modules = append(modules, newModule(rel, moduleKind(rel), data))
	}
	return modules, nil
}

// moduleGraph lists the files main imports, directly or not, as slash paths
// relative to root. It runs esbuild on the operator's own files only to
// find the imports; the worker's modules are linked again in its
// workerhost.
func moduleGraph(root, main string) ([]string, error) {
	result := api.Build(api.BuildOptions{
		EntryPoints:   []string{"./" + filepath.ToSlash(main)},
		AbsWorkingDir: root,
		Bundle:        true,
		Write:         false,
		Metafile:      true,
		Format:        api.FormatESModule,
		Platform:      api.PlatformNeutral,
		LogLevel:      api.LogLevelSilent,
		External:      []string{"cloudflare:*", "node:*"},
		Loader: map[string]api.Loader{
			".txt": api.LoaderText, ".html": api.LoaderText, ".md": api.LoaderText, ".csv": api.LoaderText,
			".bin": api.LoaderBinary, ".wasm": api.LoaderBinary, ".cjs": api.LoaderJS,
		},
	})
	if len(result.Errors) > 0 {
		m := result.Errors[0]
		where := ""
		if m.Location != nil {
			where = fmt.Sprintf("%s:%d:%d: ", m.Location.File, m.Location.Line, m.Location.Column+1)
		}
		return nil, fmt.Errorf("read modules of %s: %s%s", main, where, m.Text)
	}
	var meta struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(result.Metafile), &meta); err != nil {
		return nil, fmt.Errorf("read modules of %s: %w", main, err)
	}
	files := make([]string, 0, len(meta.Inputs))
	for in := range meta.Inputs {
		rel := path.Clean(in)
		if strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
			return nil, fmt.Errorf("read modules of %s: %s is outside %s: keep every module under the project directory", main, in, root)
		}
		files = append(files, rel)
	}
	sort.Strings(files)
	return files, nil
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
