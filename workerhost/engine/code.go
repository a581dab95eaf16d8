package engine

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"

	"github.com/dop251/goja"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// codeKeys are the WorkerCode keys dynworker accepts. workerd ignores
// unknown keys, but dynworker rejects them, so a misspelt key is never
// silently lost.
var codeKeys = map[string]bool{
	"compatibilityDate": true, "compatibilityFlags": true, "allowExperimental": true,
	"limits": true, "mainModule": true, "modules": true, "env": true,
	"globalOutbound": true, "tails": true, "streamingTails": true,
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// moduleKinds are the keys of an object module, one of which must be set.
var moduleKinds = []string{"js", "cjs", "text", "data", "json", "wasm", "py"}

func typeError(format string, args ...any) error {
	return &rpcerr.ScriptError{Name: "TypeError", Message: fmt.Sprintf(format, args...)}
}

// exportCode converts a WorkerCode object from JavaScript. It checks types;
// loader.Validate checks the rest.
func (e *Engine) exportCode(rt *goja.Runtime, v goja.Value) (*pb.WorkerCode, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, typeError("Cannot initialize WorkerCode with required members from an undefined or null value.")
	}
	// Like workerd, any object is read as a WorkerCode, arrays and functions
	// included: their missing keys fail the checks below.
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, typeError("Failed to execute 'load' on 'WorkerLoader': parameter 1 is not of type 'WorkerCode'.")
	}
	for _, k := range o.Keys() {
		if !codeKeys[k] {
			return nil, typeError("WorkerCode has an unknown key %q; the known keys are compatibilityDate, compatibilityFlags, allowExperimental, limits, mainModule, modules, env, globalOutbound, tails and streamingTails.", k)
		}
	}

	code := &pb.WorkerCode{}
	var err error
	if code.CompatibilityDate, err = compatibilityDate(o); err != nil {
		return nil, err
	}
	if code.MainModule, err = optionalString(o, "mainModule"); err != nil {
		return nil, err
	}
	if code.CompatibilityFlags, err = stringList(rt, o, "compatibilityFlags"); err != nil {
		return nil, err
	}
	code.AllowExperimental = o.Get("allowExperimental") != nil && o.Get("allowExperimental").ToBoolean()

	if code.Modules, err = exportModules(rt, o.Get("modules")); err != nil {
		return nil, err
	}
	if code.Limits, err = exportLimits(o.Get("limits")); err != nil {
		return nil, err
	}
	if code.GlobalOutbound, err = exportOutbound(o.Get("globalOutbound")); err != nil {
		return nil, err
	}
	if err := rejectTails(rt, o); err != nil {
		return nil, err
	}
	if code.Env, err = e.exportEnv(rt, o.Get("env")); err != nil {
		return nil, err
	}
	return code, nil
}

// exportEnv clones WorkerCode.env, which must be an object or undefined.
func (e *Engine) exportEnv(rt *goja.Runtime, env goja.Value) (*pb.Value, error) {
	if env == nil || goja.IsUndefined(env) {
		return nil, nil
	}
	if _, isObject := env.(*goja.Object); !isObject {
		return nil, typeError("WorkerCode.env must be an object, got %s.", describe(env))
	}
	return e.toCloneValue(rt, env)
}

func exportModules(rt *goja.Runtime, v goja.Value) ([]*pb.Module, error) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, typeError("Incorrect type for the 'modules' field on 'WorkerCode': the provided value is not of type 'object'.")
	}
	keys := o.Keys()
	sort.Strings(keys)
	list := make([]*pb.Module, 0, len(keys))
	for _, name := range keys {
		m, err := exportModule(rt, name, o.Get(name))
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, nil
}

func exportModule(rt *goja.Runtime, name string, v goja.Value) (*pb.Module, error) {
	if s, ok := v.Export().(string); ok {
		switch path.Ext(name) {
		case ".js", ".ts", ".tsx", ".jsx":
			return &pb.Module{Name: name, Content: &pb.Module_Js{Js: s}}, nil
		}
		return nil, typeError("Module name must end with '.js' (or '.ts', '.tsx' or '.jsx', which dynworker also runs), or the content must be an object indicating the type explicitly. Got: %s", name)
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, typeError("Module %q must be a string or an object, got %s.", name, describe(v))
	}
	var kinds []string
	for _, k := range o.Keys() {
		if !slices.Contains(moduleKinds, k) {
			// workerd ignores unknown keys here; dynworker names them, as it
			// does for WorkerCode, so a misspelt type is never lost.
			return nil, typeError("Module '%s' has an unknown key '%s'. Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'.", name, k)
		}
		kinds = append(kinds, k)
	}
	if len(kinds) != 1 {
		return nil, typeError("Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module '%s' contained %d properties.", name, len(kinds))
	}
	return moduleContent(rt, name, kinds[0], o.Get(kinds[0]))
}

func moduleContent(rt *goja.Runtime, name, kind string, v goja.Value) (*pb.Module, error) {
	m := &pb.Module{Name: name}
	switch kind {
	case "json":
		text, err := jsonStringify(rt, v)
		if err != nil {
			return nil, err
		}
		m.Content = &pb.Module_Json{Json: text}
		return m, nil
	case "data", "wasm":
		b, ok := bytesOf(v)
		if !ok {
			return nil, typeError("Module %q: %s must be an ArrayBuffer or a typed array, got %s.", name, kind, describe(v))
		}
		if kind == "data" {
			m.Content = &pb.Module_Data{Data: b}
		} else {
			m.Content = &pb.Module_Wasm{Wasm: b}
		}
		return m, nil
	}
	s, ok := v.Export().(string)
	if !ok {
		return nil, typeError("Module %q: %s must be a string, got %s.", name, kind, describe(v))
	}
	switch kind {
	case "js":
		m.Content = &pb.Module_Js{Js: s}
	case "cjs":
		m.Content = &pb.Module_Cjs{Cjs: s}
	case "text":
		m.Content = &pb.Module_Text{Text: s}
	case "py":
		m.Content = &pb.Module_Py{Py: s}
	}
	return m, nil
}

func exportLimits(v goja.Value) (*pb.Limits, error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, typeError("Incorrect type for the 'limits' field on 'WorkerCode': the provided value is not of type 'ResourceLimits'.")
	}
	l := &pb.Limits{}
	for _, k := range o.Keys() {
		n := o.Get(k).ToInteger()
		if n < 0 {
			return nil, typeError("WorkerCode.limits.%s must not be negative, got %d.", k, n)
		}
		switch k {
		case "cpuMs":
			l.CpuMs = n
		case "subRequests":
			l.SubRequests = n
		default:
			return nil, typeError("WorkerCode.limits has an unknown key %q; the known keys are cpuMs and subRequests.", k)
		}
	}
	return l, nil
}

func exportOutbound(v goja.Value) (*pb.GlobalOutbound, error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, nil
	}
	if goja.IsNull(v) {
		return &pb.GlobalOutbound{Kind: &pb.GlobalOutbound_None{None: &pb.Empty{}}}, nil
	}
	msg := "Incorrect type for the 'globalOutbound' field on 'WorkerCode': the provided value is not of type 'Fetcher'."
	if o, ok := v.(*goja.Object); ok && o.GetSymbol(goja.SymToStringTag) != nil && o.GetSymbol(goja.SymToStringTag).String() == "Fetcher" {
		// TODO: accept a Fetcher (a service binding or an entrypoint stub)
		// once capabilities cross processes.
		msg += " dynworker accepts null or an omitted globalOutbound for now."
	}
	return nil, typeError("%s", msg)
}

func rejectTails(rt *goja.Runtime, o *goja.Object) error {
	for _, k := range []string{"tails", "streamingTails"} {
		v := o.Get(k)
		if v == nil || goja.IsUndefined(v) {
			continue
		}
		if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" && arr.Get("length").ToInteger() == 0 {
			continue
		}
		// TODO: deliver tail events to tail workers.
		return typeError("WorkerCode.%s is not supported by dynworker yet; logs go to the supervisor's log.", k)
	}
	return nil
}

// compatibilityDate reads WorkerCode.compatibilityDate. A value that is
// present but not a date is rejected here, where it can be printed as
// given; loader.Validate reports a missing one.
func compatibilityDate(o *goja.Object) (string, error) {
	v := o.Get("compatibilityDate")
	if v == nil || goja.IsUndefined(v) {
		return "", nil
	}
	s, isString := v.Export().(string)
	if !isString || !datePattern.MatchString(s) {
		return "", &rpcerr.ScriptError{Name: "Error", Message: "Invalid compatibility date: " + v.String()}
	}
	return s, nil
}

func optionalString(o *goja.Object, key string) (string, error) {
	v := o.Get(key)
	if v == nil || goja.IsUndefined(v) {
		return "", nil
	}
	s, ok := v.Export().(string)
	if !ok {
		return "", typeError("WorkerCode.%s must be a string, got %s.", key, describe(v))
	}
	return s, nil
}

func stringList(rt *goja.Runtime, o *goja.Object, key string) ([]string, error) {
	v := o.Get(key)
	if v == nil || goja.IsUndefined(v) {
		return nil, nil
	}
	if arr, ok := v.(*goja.Object); !ok || arr.ClassName() != "Array" {
		return nil, typeError("Incorrect type for the '%s' field on 'WorkerCode': the provided value is not of type 'Array'.", key)
	}
	var list []string
	if err := rt.ExportTo(v, &list); err != nil {
		return nil, typeError("WorkerCode.%s must be an array of strings.", key)
	}
	return list, nil
}

func jsonStringify(rt *goja.Runtime, v goja.Value) (string, error) {
	stringify, _ := goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("stringify"))
	s, err := stringify(goja.Undefined(), v)
	if err != nil {
		return "", scriptError(rt, err)
	}
	return s.String(), nil
}

func bytesOf(v goja.Value) ([]byte, bool) {
	switch x := v.Export().(type) {
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...), true
	case []byte:
		return append([]byte(nil), x...), true
	}
	return nil, false
}

func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		return "an " + o.ClassName()
	}
	return "a " + v.ExportType().Kind().String() + " " + v.String()
}
