package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// workerdPackage is the npm package the benchmark compares against. The
// workerd reference in docs/workerd-reference.md was recorded with it.
const workerdPackage = "workerd@1.20261123.1"

// compatibilityDate is the compatibility date of the parent worker in both
// runtimes, and of the dynamic worker.
const compatibilityDate = "2025-06-01"

//go:embed testdata/parent.js
var parentSource string

//go:embed testdata/child.js
var childSource string

// paths are the files and directories of one run, all under the repository.
type paths struct {
	repo      string
	cache     string // .cache/bench: git-ignored
	dynworker string // the dynworker binary built for this run
	workerd   string // the workerd binary from npm
	parentDir string // holds parent.js alone, for `dynworker run`
	configDir string // holds config.capnp and parent.js, for `workerd serve`
	logs      string
	docs      string
}

func newPaths(repo string) *paths {
	cache := filepath.Join(repo, ".cache", "bench")
	return &paths{
		repo:      repo,
		cache:     cache,
		dynworker: filepath.Join(cache, "bin", "dynworker"),
		parentDir: filepath.Join(cache, "run", "dynworker"),
		configDir: filepath.Join(cache, "run", "workerd"),
		logs:      filepath.Join(cache, "logs"),
		docs:      filepath.Join(repo, "docs", "benchmarks.md"),
	}
}

// findRepo returns the root of the dynworker module that contains the
// working directory.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/dynworker/dynworker\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the dynworker repository: run the benchmark from inside the checkout")
		}
		dir = parent
	}
}

// prepare installs workerd if needed, builds dynworker and writes the parent
// worker for both runtimes.
func (p *paths) prepare(ctx context.Context, log io.Writer) error {
	for _, dir := range []string{p.parentDir, p.configDir, p.logs} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	var err error
	if p.workerd, err = installWorkerd(ctx, filepath.Join(p.cache, "workerd"), log); err != nil {
		return err
	}
	fmt.Fprintln(log, "bench: building dynworker")
	build := exec.CommandContext(ctx, "go", "build", "-o", p.dynworker, "./cmd/dynworker")
	build.Dir = p.repo
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build dynworker: %w\n%s", err, out)
	}
	return p.writeParent()
}

// installWorkerd runs `npm install` of workerdPackage into dir unless it is
// there already, and returns the path of the workerd binary.
func installWorkerd(ctx context.Context, dir string, log io.Writer) (string, error) {
	bin, err := workerdBinary(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "bench: installing %s into %s\n", workerdPackage, dir)
	npm := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir, workerdPackage)
	if out, err := npm.CombinedOutput(); err != nil {
		return "", fmt.Errorf("install %s with npm (node and npm must be on PATH): %w\n%s", workerdPackage, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("install %s: %s is missing after npm install: %w", workerdPackage, bin, err)
	}
	return bin, nil
}

// workerdBinary returns the path of the native workerd binary that npm
// installs for this platform. The benchmark starts it directly, so no node
// process sits between it and the measurements.
func workerdBinary(dir string) (string, error) {
	arch := map[string]string{"amd64": "64", "arm64": "arm64"}[runtime.GOARCH]
	if runtime.GOOS != "linux" || arch == "" {
		return "", fmt.Errorf("the benchmark needs Linux on amd64 or arm64 (it reads /proc), not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	pkg := "workerd-linux-" + arch
	return filepath.Join(dir, "node_modules", "@cloudflare", pkg, "bin", "workerd"), nil
}

// writeParent writes the parent worker module, with CHILD_SOURCE prepended,
// for dynworker and for workerd. Both copies have the same bytes.
func (p *paths) writeParent() error {
	child, err := json.Marshal(childSource)
	if err != nil {
		return err
	}
	module := "const CHILD_SOURCE = " + string(child) + ";\n\n" + parentSource
	if err := os.WriteFile(filepath.Join(p.parentDir, "parent.js"), []byte(module), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.configDir, "parent.js"), []byte(module), 0o644)
}

// workerdConfig is the capnp configuration of workerd: the parent worker
// with a LOADER binding on an HTTP socket. Its global outbound rejects
// every request, so neither the parent nor a dynamic worker that inherits
// its outbound reaches a network.
const workerdConfig = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "parent", worker = .parent),
    (name = "blocked", worker = .blocked),
  ],
  sockets = [ (name = "http", address = "ADDRESS", http = (), service = "parent") ],
);

const parent :Workerd.Worker = (
  compatibilityDate = "DATE",
  modules = [ (name = "parent.js", esModule = embed "parent.js") ],
  bindings = [ (name = "LOADER", workerLoader = ()) ],
  globalOutbound = "blocked",
);

const blocked :Workerd.Worker = (
  compatibilityDate = "DATE",
  modules = [ (name = "blocked.js", esModule = "export default { fetch() { return new Response('outbound request blocked by the benchmark', { status: 599 }); } };") ],
);
`

// writeWorkerdConfig writes config.capnp for a workerd that listens on addr
// and returns its path.
func (p *paths) writeWorkerdConfig(addr string) (string, error) {
	cfg := strings.NewReplacer("ADDRESS", addr, "DATE", compatibilityDate).Replace(workerdConfig)
	path := filepath.Join(p.configDir, "config.capnp")
	return path, os.WriteFile(path, []byte(cfg), 0o644)
}
