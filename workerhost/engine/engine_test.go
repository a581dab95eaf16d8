package engine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// noHost is a Host for workers that reach nothing outside their process.
type noHost struct{ logs chan string }

var errNoHost = errors.New("no host in this test")

func (h *noHost) Log(level, message string) {
	if h.logs != nil {
		h.logs <- level + ": " + message
	}
}
func (*noHost) Fetch(context.Context, *http.Request) (*http.Response, error) { return nil, errNoHost }
func (*noHost) LoaderGet(context.Context, string, string) (string, string, error) {
	return "", "", errNoHost
}
func (*noHost) LoaderProvide(context.Context, string, *pb.WorkerCode, *pb.ErrorValue) (string, error) {
	return "", errNoHost
}
func (*noHost) LoaderLoad(context.Context, string, *pb.WorkerCode) (string, error) {
	return "", errNoHost
}
func (*noHost) FetchWorker(context.Context, *pb.Target, *http.Request) (*http.Response, error) {
	return nil, errNoHost
}
func (*noHost) CallWorker(context.Context, *pb.Target, string, []*pb.Value) (*pb.Value, error) {
	return nil, errNoHost
}

func newTestEngine(t testing.TB, main string, modules map[string]*pb.Module) *Engine {
	t.Helper()
	e, err := tryEngine(main, modules, nil)
	if err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

func tryEngine(main string, modules map[string]*pb.Module, bindings []*whpb.Binding) (*Engine, error) {
	code := &pb.WorkerCode{CompatibilityDate: "2025-06-01", MainModule: main}
	for name, m := range modules {
		m.Name = name
		code.Modules = append(code.Modules, m)
	}
	return New(Config{Code: code, Bindings: bindings, Host: &noHost{}})
}

func js(src string) *pb.Module { return &pb.Module{Content: &pb.Module_Js{Js: src}} }

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// callString calls method on the default entrypoint and returns the string
// result.
func callString(t testing.TB, e *Engine, method string) string {
	t.Helper()
	v, err := e.Call(ctxT(t), "", nil, method, nil)
	if err != nil {
		t.Fatalf("call %s: %v", method, err)
	}
	return v.GetString_()
}

const entry = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { run() { return result(); } }
`

func TestModuleKinds(t *testing.T) {
	e := newTestEngine(t, "src/main.js", map[string]*pb.Module{
		"src/main.js": js(entry + `
import { greet } from "./lib/greet.ts";
import text from "../assets/note.txt";
import data from "../assets/blob.bin";
import config from "../assets/config.json";
import legacy from "./legacy.cjs";
function result() {
  return [greet("ts"), text, data instanceof ArrayBuffer, data.byteLength, config.level, legacy.twice(4)].join("|");
}`),
		"src/lib/greet.ts":   js(`export function greet(name: string): string { return "hi " + name; }`),
		"assets/note.txt":    {Content: &pb.Module_Text{Text: "note"}},
		"assets/blob.bin":    {Content: &pb.Module_Data{Data: []byte{1, 2, 3}}},
		"assets/config.json": {Content: &pb.Module_Json{Json: `{"level": 3}`}},
		"src/legacy.cjs":     {Content: &pb.Module_Cjs{Cjs: `module.exports = { twice: (n) => n * 2 };`}},
	})
	if got, want := callString(t, e, "run"), "hi ts|note|true|3|3|8"; got != want {
		t.Errorf("run() = %q; want %q", got, want)
	}
}

func TestEventLoopOrder(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(entry + `
async function result() {
  const order = [];
  setTimeout(() => order.push("timeout"), 0);
  const cancelled = setTimeout(() => order.push("cancelled"), 0);
  clearTimeout(cancelled);
  queueMicrotask(() => order.push("microtask"));
  Promise.resolve().then(() => order.push("promise"));
  order.push("sync");
  await new Promise((resolve) => setTimeout(resolve, 20));
  return order.join(",");
}`)})
	if got, want := callString(t, e, "run"), "sync,microtask,promise,timeout"; got != want {
		t.Errorf("order = %q; want %q", got, want)
	}
}

func TestStartErrors(t *testing.T) {
	tests := []struct {
		name    string
		modules map[string]*pb.Module
		want    string
	}{
		{"top level throws", map[string]*pb.Module{"main.js": js(`throw new RangeError("top");`)}, "Failed to start Worker:\nUncaught RangeError: top"},
		{"top-level await", map[string]*pb.Module{"main.js": js(`await 1; export default {};`)}, "Failed to start Worker:\nUncaught SyntaxError: main.js:1:1: top-level await is not supported"},
		{"missing main", map[string]*pb.Module{"other.js": js(``)}, "Failed to start Worker:\nUncaught Error: No such module: main.js"},
		{"export of wrong type", map[string]*pb.Module{"main.js": js(`export const version = "1";`)}, "Failed to start Worker:\nUncaught TypeError: Incorrect type for map entry 'version'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryEngine("main.js", tt.modules, nil)
			var se *rpcerr.ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v; want a script error", err)
			}
			if se.Name != "Error" || !strings.HasPrefix(se.Message, tt.want) {
				t.Errorf("error = %s: %q; want Error: %q...", se.Name, se.Message, tt.want)
			}
		})
	}
}

// TestSourceMapCommentOpensNoFile points a sourceMappingURL at a FIFO: a
// reader opening it would block, and a writer opening it without blocking
// would succeed only while a reader has it open.
func TestSourceMapCommentOpensNoFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "map.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	src := entry + "function result() { return 'ok'; }\n//# sourceMappingURL=" + fifo + "\n"
	done := make(chan error, 1)
	go func() {
		e, err := tryEngine("main.js", map[string]*pb.Module{
			"main.js": js(src),
			"b.js":    js("export const b = 1;\n//@ sourceMappingURL=file://" + fifo),
		}, nil)
		if err == nil {
			e.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			f.Close()
		}
		t.Fatal("starting the worker blocked: something opened the file named by sourceMappingURL")
	}
}

func TestFetchObjectHandler(t *testing.T) {
	e := newTestEngine(t, "main.js", map[string]*pb.Module{"main.js": js(`
export default {
  async fetch(request, env, ctx) {
    const body = await request.text();
    return new Response(request.method + " " + new URL(request.url).pathname + " " + body + " " + JSON.stringify(ctx.props), {
      status: 201, headers: { "x-test": "yes" },
    });
  },
};`)})
	req, _ := http.NewRequest("POST", "http://worker/path", strings.NewReader("payload"))
	resp, err := e.Fetch(ctxT(t), "", nil, req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Header.Get("x-test") != "yes" || string(body) != "POST /path payload {}" {
		t.Errorf("response = %d %v %q", resp.StatusCode, resp.Header, body)
	}
}

func TestLoaderCodeErrors(t *testing.T) {
	bindings := []*whpb.Binding{{Name: "LOADER", Kind: &whpb.Binding_Loader{Loader: &whpb.LoaderBinding{Id: "ns"}}}}
	tests := []struct{ name, code, want string }{
		{"unknown key", `{compatibilityDate: "2025-06-01", mainModule: "a.js", modules: {"a.js": ""}, mainModul: "x"}`, `WorkerCode has an unknown key "mainModul"`},
		{"two module kinds", `{compatibilityDate: "2025-06-01", mainModule: "a.js", modules: {"a.js": {js: "", text: ""}}}`, `Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module 'a.js' contained 2 properties.`},
		{"string module not js", `{compatibilityDate: "2025-06-01", mainModule: "a.mjs", modules: {"a.mjs": ""}}`, `Module name must end with '.js'`},
		{"bad date", `{compatibilityDate: "yesterday", mainModule: "a.js", modules: {"a.js": ""}}`, `Invalid compatibility date: yesterday`},
		{"python", `{compatibilityDate: "2025-06-01", mainModule: "a.js", modules: {"a.js": "", "b.py": {py: ""}}}`, `Module "b.py" is a Python module: dynworker runs no Python`},
		{"outbound fetcher", `{compatibilityDate: "2025-06-01", mainModule: "a.js", modules: {"a.js": ""}, globalOutbound: {}}`, `Incorrect type for the 'globalOutbound' field on 'WorkerCode'`},
		{"not an object", `"x"`, `Failed to execute 'load' on 'WorkerLoader': parameter 1 is not of type 'WorkerCode'.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := tryEngine("main.js", map[string]*pb.Module{"main.js": js(entry + `
import { env } from "cloudflare:workers";
function result() {
  try { env.LOADER.load(` + tt.code + `); return "loaded"; } catch (e) { return e.message; }
}`)}, bindings)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if got := callString(t, e, "run"); !strings.HasPrefix(got, tt.want) {
				t.Errorf("load() threw %q; want %q...", got, tt.want)
			}
		})
	}
}
