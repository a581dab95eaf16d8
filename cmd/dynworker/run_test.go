package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

func TestRunHelloExample(t *testing.T) {
	c := startCommand(t, "run", "--http", "127.0.0.1:0", "../../examples/hello")
	addr := c.waitAddress(t)

	status, body := httpGet(t, "http://"+addr+"/greeting")
	if status != http.StatusOK {
		t.Fatalf("status = %d; want 200 (body %q)", status, body)
	}
	want := "Hello from a dynamic worker! You asked for /greeting\n"
	if body != want {
		t.Errorf("body = %q; want %q", body, want)
	}

	status, body = httpGet(t, "http://"+addr+"/once")
	if status != http.StatusOK || body != "Hello from a dynamic worker! You asked for /once\n" {
		t.Errorf("GET /once = %d %q; want the load() worker's response", status, body)
	}
}

func TestRunStreamsDynamicWorkerResponse(t *testing.T) {
	c := startCommand(t, "run", "--http", "127.0.0.1:0", "../../supervisor/testdata/parent.js")
	addr := c.waitAddress(t)

	resp, err := http.Get("http://" + addr + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)

	// The dynamic worker sends "second" only after /release, so reading
	// "first" here proves the body streams rather than arriving whole.
	if line := readLine(t, r, 30*time.Second); line != "first\n" {
		t.Fatalf("first line = %q; want %q", line, "first\n")
	}
	if status, body := httpGet(t, "http://"+addr+"/release"); status != http.StatusOK || body != "released" {
		t.Fatalf("GET /release = %d %q", status, body)
	}
	if line := readLine(t, r, 30*time.Second); line != "second\n" {
		t.Fatalf("second line = %q; want %q", line, "second\n")
	}
}

func TestRunRejectsMissingEntry(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"run", filepath.Join(t.TempDir(), "nope.js")}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
	if !strings.Contains(stderr.String(), "nope.js: no such file or directory") {
		t.Errorf("stderr = %q; want it to name the missing file", stderr.String())
	}
}

func TestRunAddressInUse(t *testing.T) {
	c := startCommand(t, "run", "--http", "127.0.0.1:0", "../../examples/hello")
	addr := c.waitAddress(t)
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"run", "--http", addr, "../../examples/hello"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
	if !strings.Contains(stderr.String(), "address already in use: choose another address with --http") {
		t.Errorf("stderr = %q; want the --http hint", stderr.String())
	}
}

func TestRunWranglerConfigs(t *testing.T) {
	tests := []struct {
		name, file, config string
	}{
		{"jsonc", "wrangler.jsonc", `{
  // comment
  "main": "src/main.js",
  "compatibility_date": "2025-06-01",
  "vars": {"GREETING": "hi"},
  "worker_loaders": [{"binding": "LOADER"},],
}`},
		{"json", "wrangler.json", `{"main": "src/main.js", "compatibility_date": "2025-06-01", "vars": {"GREETING": "hi"}}`},
		{"toml", "wrangler.toml", "main = \"src/main.js\"\ncompatibility_date = \"2025-06-01\"\n[vars]\nGREETING = \"hi\"\n[[worker_loaders]]\nbinding = \"LOADER\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, tt.file), tt.config)
			writeFile(t, filepath.Join(dir, "src/main.js"), `import { suffix } from "./lib/suffix.js";
export default { fetch(req, env) { return new Response(env.GREETING + suffix + typeof env.LOADER.get); } };`)
			writeFile(t, filepath.Join(dir, "src/lib/suffix.js"), `export const suffix = " there ";`)

			c := startCommand(t, "run", "--http", "127.0.0.1:0", dir)
			addr := c.waitAddress(t)
			if _, body := httpGet(t, "http://"+addr+"/"); body != "hi there function" {
				t.Errorf("body = %q; want %q", body, "hi there function")
			}
		})
	}
}

func TestRunConfigErrors(t *testing.T) {
	tests := []struct {
		name, file, config, want string
	}{
		{"no main", "wrangler.json", `{"compatibility_date": "2025-06-01"}`, "main is missing"},
		{"no date", "wrangler.json", `{"main": "a.js"}`, "compatibility_date is missing"},
		{"bad json", "wrangler.json", `{"main": `, "parse "},
		{"no config", "", "", "no wrangler.jsonc, wrangler.json or wrangler.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				writeFile(t, filepath.Join(dir, tt.file), tt.config)
			}
			var stdout, stderr strings.Builder
			if code := run(t.Context(), []string{"run", dir}, &stdout, &stderr); code != 1 {
				t.Errorf("exit code = %d; want 1", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q; want it to contain %q", stderr.String(), tt.want)
			}
		})
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunModuleGraph(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app/main.js"), `import { a } from "./lib/a.js"; import note from "./note.txt";
export default { fetch() { return new Response(a + note); } };`)
	writeFile(t, filepath.Join(dir, "app/lib/a.js"), `export const a = "a+";`)
	writeFile(t, filepath.Join(dir, "app/note.txt"), "note")
	// A file the graph does not reach is never read, even a broken one.
	writeFile(t, filepath.Join(dir, "app/unrelated.js"), "this is not JavaScript {")

	c := startCommand(t, "run", "--http", "127.0.0.1:0", filepath.Join(dir, "app/main.js"))
	addr := c.waitAddress(t)
	if _, body := httpGet(t, "http://"+addr+"/"); body != "a+note" {
		t.Errorf("body = %q; want %q", body, "a+note")
	}
}

func TestRunModuleGraphErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"outside project", map[string]string{
			"app/main.js": `import { x } from "../shared.js"; export default { fetch() { return new Response(x); } };`,
			"shared.js":   `export const x = 1;`,
		}, "../shared.js is outside"},
		{"syntax error", map[string]string{
			"app/main.js": `export default { fetch( };`,
		}, "read modules of main.js: main.js:1:25: Expected identifier but found \"}\""},
		{"missing import", map[string]string{
			"app/main.js": `import "./nope.js"; export default {};`,
		}, `Could not resolve "./nope.js"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			var stdout, stderr strings.Builder
			code := run(t.Context(), []string{"run", filepath.Join(dir, "app/main.js")}, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit code = %d; want 1", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q; want it to contain %q", stderr.String(), tt.want)
			}
		})
	}
}
