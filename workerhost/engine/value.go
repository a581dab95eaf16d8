package engine

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/dop251/goja"

	"github.com/dynworker/dynworker/internal/rpcerr"
	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// maxValueDepth bounds the nesting of a value crossing processes, so a deep
// value fails cleanly instead of exhausting the stack.
const maxValueDepth = 1000

// toValue serializes an RPC argument or result into a Value message, as
// structured clone does. Call it on the event loop.
func (e *Engine) toValue(rt *goja.Runtime, v goja.Value) (*pb.Value, error) {
	s := &serializer{e: e, rt: rt}
	return s.value(v, 0)
}

// toCloneValue serializes a value that workerd copies with structured clone
// alone, such as WorkerCode.env and entrypoint props, where a function is a
// DataCloneError rather than a stub. Call it on the event loop.
func (e *Engine) toCloneValue(rt *goja.Runtime, v goja.Value) (*pb.Value, error) {
	s := &serializer{e: e, rt: rt, cloneOnly: true}
	return s.value(v, 0)
}

type serializer struct {
	e  *Engine
	rt *goja.Runtime
	// seen holds the objects on the path from the root to the current value.
	// It is made at the first object, so a primitive allocates no map.
	seen map[*goja.Object]bool
	// cloneOnly makes functions fail with workerd's structured clone
	// message instead of the message for a missing RPC stub.
	cloneOnly bool
}

func dataCloneError(format string, args ...any) error {
	return &rpcerr.ScriptError{Name: "DataCloneError", Message: fmt.Sprintf(format, args...)}
}

func (s *serializer) value(v goja.Value, depth int) (*pb.Value, error) {
	if depth > maxValueDepth {
		return nil, dataCloneError("value is nested more than %d levels deep", maxValueDepth)
	}
	if v == nil || goja.IsUndefined(v) {
		return &pb.Value{Kind: &pb.Value_Undefined{Undefined: &pb.Empty{}}}, nil
	}
	if goja.IsNull(v) {
		return &pb.Value{Kind: &pb.Value_Null{Null: &pb.Empty{}}}, nil
	}
	o, isObject := v.(*goja.Object)
	if !isObject {
		return primitive(v)
	}
	if s.seen == nil {
		s.seen = make(map[*goja.Object]bool)
	}
	if s.seen[o] {
		return nil, dataCloneError("value contains a cycle, which cannot cross to another worker")
	}
	s.seen[o] = true
	defer delete(s.seen, o)
	return s.object(o, depth)
}

func primitive(v goja.Value) (*pb.Value, error) {
	if sym, ok := v.(*goja.Symbol); ok {
		return nil, dataCloneError("Symbol(%s) could not be cloned.", sym.String())
	}
	switch x := v.Export().(type) {
	case bool:
		return &pb.Value{Kind: &pb.Value_Bool{Bool: x}}, nil
	case int64:
		return &pb.Value{Kind: &pb.Value_Number{Number: float64(x)}}, nil
	case float64:
		return &pb.Value{Kind: &pb.Value_Number{Number: x}}, nil
	case string:
		return &pb.Value{Kind: &pb.Value_String_{String_: x}}, nil
	case *big.Int:
		return &pb.Value{Kind: &pb.Value_Bigint{Bigint: x.String()}}, nil
	}
	return nil, dataCloneError("%s could not be cloned.", v.String())
}

func (s *serializer) object(o *goja.Object, depth int) (*pb.Value, error) {
	class := o.ClassName()
	if class != "Array" && class != "Function" {
		tag, err := s.e.helper(s.rt, "typeTag", o)
		if err != nil {
			return nil, err
		}
		class = tag.String()
	}
	switch class {
	case "RegExp":
		info, err := s.e.helper(s.rt, "regExpInfo", o)
		if err != nil {
			return nil, err
		}
		io := info.ToObject(s.rt)
		re := &pb.RegExpValue{Source: io.Get("source").String(), Flags: io.Get("flags").String()}
		return &pb.Value{Kind: &pb.Value_Regexp{Regexp: re}}, nil
	case "TypedArray":
		info, err := s.e.helper(s.rt, "viewInfo", o)
		if err != nil {
			return nil, err
		}
		io := info.ToObject(s.rt)
		data, _ := io.Get("bytes").Export().([]byte)
		ta := &pb.TypedArray{Type: io.Get("type").String(), Data: append([]byte(nil), data...)}
		return &pb.Value{Kind: &pb.Value_TypedArray{TypedArray: ta}}, nil
	case "Array":
		return s.list(o, depth, func(l *pb.ValueList) *pb.Value { return &pb.Value{Kind: &pb.Value_Array{Array: l}} })
	case "Date":
		t, _ := o.Export().(interface{ UnixMilli() int64 })
		ms := math.NaN()
		if t != nil {
			ms = float64(t.UnixMilli())
		}
		return &pb.Value{Kind: &pb.Value_Date{Date: ms}}, nil
	case "Error":
		return s.errorValue(o, depth)
	case "Map":
		return s.mapValue(o, depth)
	case "Set":
		entries, err := s.e.helper(s.rt, "setValues", o)
		if err != nil {
			return nil, err
		}
		return s.list(entries.ToObject(s.rt), depth, func(l *pb.ValueList) *pb.Value { return &pb.Value{Kind: &pb.Value_Set{Set: l}} })
	case "Function":
		if s.cloneOnly {
			// workerd prints the function's source text.
			return nil, dataCloneError("%s could not be cloned.", o.String())
		}
		// TODO: pass functions as stubs that call back into this worker, as
		// workerd does for RPC arguments and results.
		return nil, dataCloneError("functions cannot be passed to another worker yet")
	}
	switch x := o.Export().(type) {
	case goja.ArrayBuffer:
		return &pb.Value{Kind: &pb.Value_ArrayBuffer{ArrayBuffer: append([]byte(nil), x.Bytes()...)}}, nil
	case []byte:
		return &pb.Value{Kind: &pb.Value_Bytes{Bytes: append([]byte(nil), x...)}}, nil
	}
	plain, err := s.e.helper(s.rt, "isPlainObject", o)
	if err != nil {
		return nil, err
	}
	if !plain.ToBoolean() {
		name, _ := s.e.helper(s.rt, "constructorName", o)
		return nil, dataCloneError("Could not serialize object of type %q. This type does not support serialization.", name.String())
	}
	return s.plainObject(o, depth)
}

func (s *serializer) list(o *goja.Object, depth int, wrap func(*pb.ValueList) *pb.Value) (*pb.Value, error) {
	n := int(o.Get("length").ToInteger())
	l := &pb.ValueList{Items: make([]*pb.Value, n)}
	for i := range n {
		item, err := s.value(o.Get(strconv.Itoa(i)), depth+1)
		if err != nil {
			return nil, err
		}
		l.Items[i] = item
	}
	return wrap(l), nil
}

func (s *serializer) plainObject(o *goja.Object, depth int) (*pb.Value, error) {
	keys := o.Keys()
	ov := &pb.ObjectValue{Fields: make([]*pb.Field, 0, len(keys))}
	for _, k := range keys {
		item, err := s.value(o.Get(k), depth+1)
		if err != nil {
			return nil, err
		}
		ov.Fields = append(ov.Fields, &pb.Field{Key: k, Value: item})
	}
	return &pb.Value{Kind: &pb.Value_Object{Object: ov}}, nil
}

func (s *serializer) mapValue(o *goja.Object, depth int) (*pb.Value, error) {
	entries, err := s.e.helper(s.rt, "mapEntries", o)
	if err != nil {
		return nil, err
	}
	eo := entries.ToObject(s.rt)
	n := int(eo.Get("length").ToInteger())
	mv := &pb.MapValue{Entries: make([]*pb.MapEntry, n)}
	for i := range n {
		pair := eo.Get(strconv.Itoa(i)).ToObject(s.rt)
		k, err := s.value(pair.Get("0"), depth+1)
		if err != nil {
			return nil, err
		}
		v, err := s.value(pair.Get("1"), depth+1)
		if err != nil {
			return nil, err
		}
		mv.Entries[i] = &pb.MapEntry{Key: k, Value: v}
	}
	return &pb.Value{Kind: &pb.Value_Map{Map: mv}}, nil
}

func (s *serializer) errorValue(o *goja.Object, depth int) (*pb.Value, error) {
	info, err := s.e.helper(s.rt, "errorValueInfo", o)
	if err != nil {
		return nil, err
	}
	io := info.ToObject(s.rt)
	ev := &pb.ErrorValue{
		Name:    io.Get("name").String(),
		Message: io.Get("message").String(),
		Stack:   io.Get("stack").String(),
	}
	if hasCause := io.Get("hasCause"); hasCause != nil && hasCause.ToBoolean() {
		cause, err := s.value(io.Get("cause"), depth+1)
		if err != nil {
			return nil, err
		}
		ev.Cause = cause
	}
	return &pb.Value{Kind: &pb.Value_Error{Error: ev}}, nil
}

// fromValue builds the JavaScript value a Value message describes. Call it
// on the event loop.
func (e *Engine) fromValue(rt *goja.Runtime, v *pb.Value) (goja.Value, error) {
	switch k := v.GetKind().(type) {
	case nil, *pb.Value_Undefined:
		return goja.Undefined(), nil
	case *pb.Value_Null:
		return goja.Null(), nil
	case *pb.Value_Bool:
		return rt.ToValue(k.Bool), nil
	case *pb.Value_Number:
		return rt.ToValue(k.Number), nil
	case *pb.Value_String_:
		return rt.ToValue(k.String_), nil
	case *pb.Value_Bigint:
		n, ok := new(big.Int).SetString(k.Bigint, 10)
		if !ok {
			return nil, fmt.Errorf("decode value: invalid BigInt %q", k.Bigint)
		}
		return rt.ToValue(n), nil
	case *pb.Value_Bytes:
		return construct(rt, "Uint8Array", rt.NewArrayBuffer(append([]byte(nil), k.Bytes...)))
	case *pb.Value_ArrayBuffer:
		return rt.ToValue(rt.NewArrayBuffer(append([]byte(nil), k.ArrayBuffer...))), nil
	case *pb.Value_Date:
		return construct(rt, "Date", k.Date)
	case *pb.Value_Error:
		return e.fromError(rt, k.Error)
	case *pb.Value_TypedArray:
		return fromTypedArray(rt, k.TypedArray)
	case *pb.Value_Regexp:
		return construct(rt, "RegExp", k.Regexp.Source, k.Regexp.Flags)
	case *pb.Value_Array:
		return e.fromList(rt, k.Array)
	case *pb.Value_Object:
		return e.fromObject(rt, k.Object)
	case *pb.Value_Map:
		return e.fromMap(rt, k.Map)
	case *pb.Value_Set:
		return e.fromSet(rt, k.Set)
	case *pb.Value_Capability:
		return nil, fmt.Errorf("decode value: capability references are not supported yet")
	}
	return nil, fmt.Errorf("decode value: unknown kind %T", v.GetKind())
}

func (e *Engine) fromList(rt *goja.Runtime, l *pb.ValueList) (goja.Value, error) {
	items := make([]any, len(l.GetItems()))
	for i, item := range l.GetItems() {
		v, err := e.fromValue(rt, item)
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return rt.NewArray(items...), nil
}

func (e *Engine) fromObject(rt *goja.Runtime, ov *pb.ObjectValue) (goja.Value, error) {
	o := rt.NewObject()
	for _, f := range ov.GetFields() {
		v, err := e.fromValue(rt, f.Value)
		if err != nil {
			return nil, err
		}
		if err := o.Set(f.Key, v); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (e *Engine) fromMap(rt *goja.Runtime, mv *pb.MapValue) (goja.Value, error) {
	m, err := construct(rt, "Map")
	if err != nil {
		return nil, err
	}
	set, _ := goja.AssertFunction(m.ToObject(rt).Get("set"))
	for _, entry := range mv.GetEntries() {
		k, err := e.fromValue(rt, entry.Key)
		if err != nil {
			return nil, err
		}
		v, err := e.fromValue(rt, entry.Value)
		if err != nil {
			return nil, err
		}
		if _, err := set(m, k, v); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (e *Engine) fromSet(rt *goja.Runtime, l *pb.ValueList) (goja.Value, error) {
	s, err := construct(rt, "Set")
	if err != nil {
		return nil, err
	}
	add, _ := goja.AssertFunction(s.ToObject(rt).Get("add"))
	for _, item := range l.GetItems() {
		v, err := e.fromValue(rt, item)
		if err != nil {
			return nil, err
		}
		if _, err := add(s, v); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func construct(rt *goja.Runtime, name string, args ...any) (goja.Value, error) {
	ctor, ok := goja.AssertConstructor(rt.Get(name))
	if !ok {
		return nil, fmt.Errorf("global %s is not a constructor", name)
	}
	jsArgs := make([]goja.Value, len(args))
	for i, a := range args {
		jsArgs[i] = rt.ToValue(a)
	}
	return ctor(nil, jsArgs...)
}

// typedArrayTypes are the constructors a TypedArray value may name; no
// other global is ever constructed from a received name.
var typedArrayTypes = map[string]bool{
	"Int8Array": true, "Uint8ClampedArray": true, "Int16Array": true, "Uint16Array": true,
	"Int32Array": true, "Uint32Array": true, "Float32Array": true, "Float64Array": true,
	"BigInt64Array": true, "BigUint64Array": true, "DataView": true, "Uint8Array": true,
}

func fromTypedArray(rt *goja.Runtime, ta *pb.TypedArray) (goja.Value, error) {
	if !typedArrayTypes[ta.Type] {
		return nil, fmt.Errorf("decode value: unknown typed array type %q", ta.Type)
	}
	buf := rt.NewArrayBuffer(append([]byte(nil), ta.Data...))
	return construct(rt, ta.Type, buf)
}

func (e *Engine) fromError(rt *goja.Runtime, ev *pb.ErrorValue) (goja.Value, error) {
	v := newError(rt, ev.Name, ev.Message, ev.Stack)
	if ev.Cause == nil {
		return v, nil
	}
	cause, err := e.fromValue(rt, ev.Cause)
	if err != nil {
		return nil, err
	}
	if o, ok := v.(*goja.Object); ok {
		_ = o.Set("cause", cause)
	}
	return v, nil
}
