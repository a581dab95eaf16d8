// Package value converts between Go values and the Value messages that
// carry structured-clone values across processes.
package value

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"time"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// Undefined is the Go form of JavaScript's undefined.
type Undefined struct{}

// Error is the Go form of a JavaScript Error value.
type Error struct {
	Name    string
	Message string
	Stack   string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// TypedArray is an ArrayBuffer view other than Uint8Array: its constructor
// name, such as "Int32Array" or "DataView", and its bytes.
type TypedArray struct {
	Type string
	Data []byte
}

// RegExp is a JavaScript regular expression.
type RegExp struct {
	Source string
	Flags  string
}

// MaxDepth bounds the nesting of a value.
const MaxDepth = 1000

// FromGo converts v: nil, Undefined, bool, the integer and float types,
// *big.Int, string, []byte, time.Time, *Error, error, slices, maps with
// string keys and structs are supported.
func FromGo(v any) (*pb.Value, error) {
	return fromGo(reflect.ValueOf(v), 0)
}

func fromGo(rv reflect.Value, depth int) (*pb.Value, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("convert value: nested more than %d levels deep", MaxDepth)
	}
	if !rv.IsValid() {
		return &pb.Value{Kind: &pb.Value_Null{Null: &pb.Empty{}}}, nil
	}
	switch x := rv.Interface().(type) {
	case Undefined:
		return &pb.Value{Kind: &pb.Value_Undefined{Undefined: &pb.Empty{}}}, nil
	case *big.Int:
		return &pb.Value{Kind: &pb.Value_Bigint{Bigint: x.String()}}, nil
	case []byte:
		return &pb.Value{Kind: &pb.Value_Bytes{Bytes: x}}, nil
	case time.Time:
		return &pb.Value{Kind: &pb.Value_Date{Date: float64(x.UnixMilli())}}, nil
	case *Error:
		return &pb.Value{Kind: &pb.Value_Error{Error: &pb.ErrorValue{Name: x.Name, Message: x.Message, Stack: x.Stack}}}, nil
	case TypedArray:
		return &pb.Value{Kind: &pb.Value_TypedArray{TypedArray: &pb.TypedArray{Type: x.Type, Data: x.Data}}}, nil
	case RegExp:
		return &pb.Value{Kind: &pb.Value_Regexp{Regexp: &pb.RegExpValue{Source: x.Source, Flags: x.Flags}}}, nil
	case error:
		return &pb.Value{Kind: &pb.Value_Error{Error: &pb.ErrorValue{Name: "Error", Message: x.Error()}}}, nil
	case *pb.Value:
		return x, nil
	}
	switch rv.Kind() {
	case reflect.Bool:
		return &pb.Value{Kind: &pb.Value_Bool{Bool: rv.Bool()}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &pb.Value{Kind: &pb.Value_Number{Number: float64(rv.Int())}}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &pb.Value{Kind: &pb.Value_Number{Number: float64(rv.Uint())}}, nil
	case reflect.Float32, reflect.Float64:
		return &pb.Value{Kind: &pb.Value_Number{Number: rv.Float()}}, nil
	case reflect.String:
		return &pb.Value{Kind: &pb.Value_String_{String_: rv.String()}}, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return &pb.Value{Kind: &pb.Value_Null{Null: &pb.Empty{}}}, nil
		}
		return fromGo(rv.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		return fromSlice(rv, depth)
	case reflect.Map:
		return fromMap(rv, depth)
	case reflect.Struct:
		return fromStruct(rv, depth)
	}
	return nil, fmt.Errorf("convert value: unsupported Go type %s", rv.Type())
}

func fromSlice(rv reflect.Value, depth int) (*pb.Value, error) {
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		return &pb.Value{Kind: &pb.Value_Null{Null: &pb.Empty{}}}, nil
	}
	l := &pb.ValueList{Items: make([]*pb.Value, rv.Len())}
	for i := range rv.Len() {
		item, err := fromGo(rv.Index(i), depth+1)
		if err != nil {
			return nil, err
		}
		l.Items[i] = item
	}
	return &pb.Value{Kind: &pb.Value_Array{Array: l}}, nil
}

func fromMap(rv reflect.Value, depth int) (*pb.Value, error) {
	if rv.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("convert value: map key type %s is not string", rv.Type().Key())
	}
	keys := make([]string, 0, rv.Len())
	for _, k := range rv.MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	o := &pb.ObjectValue{}
	for _, k := range keys {
		item, err := fromGo(rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())), depth+1)
		if err != nil {
			return nil, err
		}
		o.Fields = append(o.Fields, &pb.Field{Key: k, Value: item})
	}
	return &pb.Value{Kind: &pb.Value_Object{Object: o}}, nil
}

func fromStruct(rv reflect.Value, depth int) (*pb.Value, error) {
	o := &pb.ObjectValue{}
	t := rv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("json"); tag != "" && tag != "-" {
			name = tag
			if j := indexByte(tag, ','); j >= 0 {
				name = tag[:j]
			}
		}
		item, err := fromGo(rv.Field(i), depth+1)
		if err != nil {
			return nil, err
		}
		o.Fields = append(o.Fields, &pb.Field{Key: name, Value: item})
	}
	return &pb.Value{Kind: &pb.Value_Object{Object: o}}, nil
}

func indexByte(s string, c byte) int {
	for i := range len(s) {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// ToGo converts a Value message: undefined becomes Undefined, null nil,
// numbers float64, BigInt *big.Int, bytes and ArrayBuffer []byte, arrays
// []any, objects map[string]any, Map [][2]any, Set []any, Date time.Time
// and Error *Error.
func ToGo(v *pb.Value) (any, error) {
	switch k := v.GetKind().(type) {
	case nil, *pb.Value_Undefined:
		return Undefined{}, nil
	case *pb.Value_Null:
		return nil, nil
	case *pb.Value_Bool:
		return k.Bool, nil
	case *pb.Value_Number:
		return k.Number, nil
	case *pb.Value_String_:
		return k.String_, nil
	case *pb.Value_Bigint:
		n, ok := new(big.Int).SetString(k.Bigint, 10)
		if !ok {
			return nil, fmt.Errorf("decode value: invalid BigInt %q", k.Bigint)
		}
		return n, nil
	case *pb.Value_Bytes:
		return k.Bytes, nil
	case *pb.Value_ArrayBuffer:
		return k.ArrayBuffer, nil
	case *pb.Value_Date:
		if math.IsNaN(k.Date) {
			return time.Time{}, nil
		}
		return time.UnixMilli(int64(k.Date)).UTC(), nil
	case *pb.Value_Error:
		return &Error{Name: k.Error.Name, Message: k.Error.Message, Stack: k.Error.Stack}, nil
	case *pb.Value_TypedArray:
		return TypedArray{Type: k.TypedArray.Type, Data: k.TypedArray.Data}, nil
	case *pb.Value_Regexp:
		return RegExp{Source: k.Regexp.Source, Flags: k.Regexp.Flags}, nil
	case *pb.Value_Array:
		return listToGo(k.Array)
	case *pb.Value_Set:
		return listToGo(k.Set)
	case *pb.Value_Object:
		m := make(map[string]any, len(k.Object.GetFields()))
		for _, f := range k.Object.GetFields() {
			item, err := ToGo(f.Value)
			if err != nil {
				return nil, err
			}
			m[f.Key] = item
		}
		return m, nil
	case *pb.Value_Map:
		pairs := make([][2]any, 0, len(k.Map.GetEntries()))
		for _, e := range k.Map.GetEntries() {
			key, err := ToGo(e.Key)
			if err != nil {
				return nil, err
			}
			val, err := ToGo(e.Value)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, [2]any{key, val})
		}
		return pairs, nil
	case *pb.Value_Capability:
		return nil, errors.New("decode value: capability references are not supported by the Go client yet")
	}
	return nil, fmt.Errorf("decode value: unknown kind %T", v.GetKind())
}

func listToGo(l *pb.ValueList) ([]any, error) {
	out := make([]any, len(l.GetItems()))
	for i, item := range l.GetItems() {
		v, err := ToGo(item)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
