package value

import (
	"math/big"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

func TestRoundTrip(t *testing.T) {
	date := time.UnixMilli(1700000000123).UTC()
	big, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"null", nil, nil},
		{"undefined", Undefined{}, Undefined{}},
		{"bool", true, true},
		{"int", 42, 42.0},
		{"string", "hi", "hi"},
		{"bytes", []byte{1, 2}, []byte{1, 2}},
		{"bigint", big, big},
		{"date", date, date},
		{"error", &Error{Name: "TypeError", Message: "bad"}, &Error{Name: "TypeError", Message: "bad"}},
		{"typed array", TypedArray{Type: "Int32Array", Data: []byte{1, 0, 0, 0}}, TypedArray{Type: "Int32Array", Data: []byte{1, 0, 0, 0}}},
		{"regexp", RegExp{Source: "a+", Flags: "g"}, RegExp{Source: "a+", Flags: "g"}},
		{"nested", map[string]any{"a": []any{1, "x"}}, map[string]any{"a": []any{1.0, "x"}}},
		{"struct", struct {
			N int `json:"n"`
		}{3}, map[string]any{"n": 3.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := FromGo(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ToGo(v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("round trip of %v = %#v; want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromGoErrors(t *testing.T) {
	if _, err := FromGo(map[int]string{1: "a"}); err == nil || err.Error() != "convert value: map key type int is not string" {
		t.Errorf("map with int keys: %v", err)
	}
	if _, err := FromGo(make(chan int)); err == nil || err.Error() != "convert value: unsupported Go type chan int" {
		t.Errorf("channel: %v", err)
	}
}

// FuzzToGo decodes arbitrary bytes as a Value, as a client does with a
// call's result: nothing may panic, and deep nesting must not exhaust the
// stack.
func FuzzToGo(f *testing.F) {
	seed, _ := FromGo(map[string]any{"a": []any{1, "x", nil}})
	b, _ := proto.Marshal(seed)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		v := new(pb.Value)
		if err := proto.Unmarshal(data, v); err != nil {
			return
		}
		_, _ = ToGo(v)
	})
}
