package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/dop251/goja_nodejs/eventloop"
	"github.com/dop251/goja_nodejs/require"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
	"github.com/dynworker/dynworker/workerhost/webapi"
)

// ErrClosed means the engine has been closed.
var ErrClosed = errors.New("worker engine closed")

// Host is the worker's only way out of its process: the supervisor, which
// routes each call and checks that the handle was issued to this worker.
// Methods are called on goroutines other than the event loop's.
type Host interface {
	// Log receives one console call.
	Log(level, message string)
	// Fetch sends a request made by the global fetch().
	Fetch(ctx context.Context, req *http.Request) (*http.Response, error)

	// LoaderGet resolves id through the loader binding. It returns the
	// worker's handle, or a token when this caller must supply the code.
	LoaderGet(ctx context.Context, binding, id string) (handle, token string, err error)
	// LoaderProvide supplies the code for token, or the getCode failure.
	LoaderProvide(ctx context.Context, token string, code *pb.WorkerCode, codeErr *pb.ErrorValue) (string, error)
	// LoaderLoad starts an anonymous worker.
	LoaderLoad(ctx context.Context, binding string, code *pb.WorkerCode) (string, error)

	// FetchWorker sends a request to an entrypoint of another worker.
	FetchWorker(ctx context.Context, target *pb.Target, req *http.Request) (*http.Response, error)
	// CallWorker calls an RPC method of an entrypoint of another worker.
	CallWorker(ctx context.Context, target *pb.Target, method string, args []*pb.Value) (*pb.Value, error)
}

// Config is the code and bindings of the worker New starts.
type Config struct {
	Code     *pb.WorkerCode
	Bindings []*whpb.Binding
	Host     Host
}

// Engine is one running worker.
type Engine struct {
	host    Host
	loop    *eventloop.EventLoop
	rt      *goja.Runtime // for Interrupt only, which is safe from any goroutine
	code    *pb.WorkerCode
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	exports *goja.Object
	// exportList describes exports; Load sets it before it returns.
	exportList []*whpb.Export
	env        *goja.Object
	helpers    *goja.Object // internal functions defined in JavaScript
	// helperFuncs caches the functions of helpers by name, for helper. It
	// is used on the event loop only.
	helperFuncs map[string]goja.Callable
	invocations invocations

	broken    atomic.Bool
	closeOnce sync.Once
}

// New prepares a runtime and loads cfg's worker into it, as Prepare and
// Load do.
func New(cfg Config) (*Engine, error) {
	e, err := Prepare(cfg.Host)
	if err != nil {
		return nil, err
	}
	if _, err := e.Load(cfg.Code, cfg.Bindings, ""); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Prepare starts an event loop and a goja runtime with the Web APIs
// installed, and no worker yet. A workerhost prepares while it waits for
// its code, so Load does only the work that depends on the code. Preparing
// does not start esbuild, whose tables would stay in the process's memory.
// The supervisor sends a worker's code linked after its first Load, so only
// that first Load starts esbuild.
func Prepare(host Host) (*Engine, error) {
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		host:   host,
		loop:   newLoop(),
		ctx:    ctx,
		cancel: cancel,
	}
	e.loop.Start()
	if err := e.onLoop(e.install); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Load links and evaluates the worker's modules and returns the linked
// script. With linked set, from an earlier Load of the same code, Load
// skips linking. A syntax or linking error, or an error thrown by a
// module's top level, is returned as a *rpcerr.ScriptError with workerd's
// "Failed to start Worker" message. Load may be called once per engine.
func (e *Engine) Load(code *pb.WorkerCode, bindings []*whpb.Binding, linked string) (string, error) {
	if e.code != nil {
		return "", errors.New("load worker: the engine already runs a worker")
	}
	e.code = code
	script := linked
	if script == "" {
		var err error
		if script, err = bundle(code); err != nil {
			return "", startError(err)
		}
	}
	prog, err := compile("worker.js", wrapBundle(script))
	if err != nil {
		return "", startError(err)
	}
	err = e.onLoop(func(rt *goja.Runtime) error {
		return e.evaluate(rt, prog, bindings)
	})
	if err != nil {
		return "", startError(err)
	}
	return script, nil
}

// startError words a start failure as workerd does.
func startError(err error) error {
	var se *rpcerr.ScriptError
	if !errors.As(err, &se) {
		return err
	}
	return &rpcerr.ScriptError{
		Name:    "Error",
		Message: "Failed to start Worker:\nUncaught " + se.Name + ": " + se.Message,
		Stack:   se.Stack,
	}
}

// onLoop runs fn on the event loop and waits for it.
func (e *Engine) onLoop(fn func(*goja.Runtime) error) error {
	errc := make(chan error, 1)
	if !e.loop.RunOnLoop(func(rt *goja.Runtime) { errc <- fn(rt) }) {
		return ErrClosed
	}
	return <-errc
}

// newLoop returns an event loop whose require() cannot load anything:
// goja_nodejs installs require with a loader that reads files, which a
// worker must never reach.
func newLoop() *eventloop.EventLoop {
	registry := require.NewRegistry(require.WithLoader(func(string) ([]byte, error) {
		return nil, require.ModuleFileDoesNotExistError
	}))
	return eventloop.NewEventLoop(eventloop.EnableConsole(false), eventloop.WithRegistry(registry))
}

// hiddenGlobals are globals that goja and goja_nodejs define but workerd
// does not have; they are removed before any worker code runs.
var hiddenGlobals = []string{"require", "GoError"}

func (e *Engine) install(rt *goja.Runtime) error {
	e.rt = rt
	rt.SetFieldNameMapper(goja.UncapFieldNameMapper())
	rt.SetMaxCallStackSize(maxCallStackSize)
	for _, name := range hiddenGlobals {
		if err := rt.GlobalObject().Delete(name); err != nil {
			return fmt.Errorf("remove global %s: %w", name, err)
		}
	}
	if err := webapi.Install(rt, &webHost{e}); err != nil {
		return fmt.Errorf("install web APIs: %w", err)
	}
	helpers, err := runInternal(rt, "helpers.js", helpersSource)
	if err != nil {
		return err
	}
	e.helpers = helpers
	e.trackRejections(rt)
	return nil
}

func (e *Engine) evaluate(rt *goja.Runtime, prog *goja.Program, bindings []*whpb.Binding) error {
	env, err := e.newEnv(rt, bindings)
	if err != nil {
		return err
	}
	e.env = env

	fn, err := rt.RunProgram(prog)
	if err != nil {
		return scriptError(rt, err)
	}
	wrapper, ok := goja.AssertFunction(fn)
	if !ok {
		return errors.New("evaluate worker: bundle is not a function")
	}
	exports, err := wrapper(goja.Undefined(), e.hostObject(rt))
	if err != nil {
		return scriptError(rt, err)
	}
	e.exports = exports.ToObject(rt)
	described, err := e.helper(rt, "describe", e.exports)
	if err != nil {
		return scriptError(rt, err)
	}
	return e.recordExports(rt, described)
}

// recordExports keeps the description of the exports that helpers.js
// returned, for Exports.
func (e *Engine) recordExports(rt *goja.Runtime, described goja.Value) error {
	var raw []struct {
		Name     string
		Handlers []string
		IsClass  bool
	}
	if err := rt.ExportTo(described, &raw); err != nil {
		return fmt.Errorf("describe exports: %w", err)
	}
	for _, x := range raw {
		e.exportList = append(e.exportList, &whpb.Export{Name: x.Name, Handlers: x.Handlers, IsClass: x.IsClass})
	}
	return nil
}

// Close stops the event loop. Calls in progress fail with ErrClosed. It is
// safe to call more than once.
func (e *Engine) Close() {
	e.closeOnce.Do(func() {
		e.cancel()
		e.loop.Terminate()
	})
}

// maxCallStackSize bounds JavaScript recursion, so deep recursion throws
// a RangeError as it does in V8 rather than growing without limit.
const maxCallStackSize = 10000

// wrapBundle turns the bundle, an IIFE that assigns the main module's
// exports to __dwExports, into a function of the internal host object that
// returns those exports, so nothing of the host is a global.
func wrapBundle(script string) string {
	return "(function (__dwHost) {\n" + script + "\nreturn __dwExports;\n})"
}

func compile(name, src string) (*goja.Program, error) {
	// Source maps are disabled so a sourceMappingURL comment can never make
	// goja open a file.
	ast, err := goja.Parse(name, src, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, &rpcerr.ScriptError{Name: "SyntaxError", Message: err.Error()}
	}
	prog, err := goja.CompileAST(ast, true)
	if err != nil {
		return nil, &rpcerr.ScriptError{Name: "SyntaxError", Message: err.Error()}
	}
	return prog, nil
}

// runInternal evaluates one of the engine's own scripts, which evaluates to
// an object of functions.
func runInternal(rt *goja.Runtime, name, src string) (*goja.Object, error) {
	v, err := rt.RunScript(name, src)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	return v.ToObject(rt), nil
}
