package webapi

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/url"

	"github.com/dop251/goja"
)

// maxRandomBytes is the largest getRandomValues() request, as in the Web Crypto
// specification.
const maxRandomBytes = 65536

// newNatives returns the object of Go functions that the prelude scripts receive
// as their second argument. It never becomes reachable from worker code.
func (st *state) newNatives() *goja.Object {
	rt := st.rt
	o := rt.NewObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		if err := o.Set(name, fn); err != nil {
			panic(err) // goja's Set fails only on frozen or non-extensible objects, and o is new.
		}
	}
	set("defineGlobal", st.nativeDefineGlobal)
	set("log", st.nativeLog)
	set("isNormalHeaderValue", st.nativeIsNormalHeaderValue)
	set("copyBytes", st.nativeCopyBytes)
	set("exportParts", st.nativeExportParts)
	set("utf8Encode", st.nativeUTF8Encode)
	set("utf8EncodeInto", st.nativeUTF8EncodeInto)
	set("newUTF8Decoder", st.nativeNewUTF8Decoder)
	set("utf8Decode", st.nativeUTF8Decode)
	set("atob", st.nativeAtob)
	set("btoa", st.nativeBtoa)
	set("randomFill", st.nativeRandomFill)
	set("randomUUID", st.nativeRandomUUID)
	set("promiseState", st.nativePromiseState)
	set("fetch", st.nativeFetch)
	set("resolveURL", st.nativeResolveURL)
	set("bodyRead", st.nativeBodyRead)
	set("bodyReadAll", st.nativeBodyReadAll)
	set("bodyCancel", st.nativeBodyCancel)
	return o
}

// nativeResolveURL resolves a URL reference against an absolute base URL
// as RFC 3986 does, or returns null when either does not parse.
// goja_nodejs's URL cleans "../" out of the reference before resolving it,
// so new URL("../d", "https://e.com/a/b/c") would lose "/a".
func (st *state) nativeResolveURL(call goja.FunctionCall) goja.Value {
	base, err := url.Parse(call.Argument(1).String())
	if err != nil || !base.IsAbs() {
		return goja.Null()
	}
	ref, err := url.Parse(call.Argument(0).String())
	if err != nil {
		return goja.Null()
	}
	return st.rt.ToValue(base.ResolveReference(ref).String())
}

func (st *state) nativeLog(call goja.FunctionCall) goja.Value {
	st.host.Log(call.Argument(0).String(), call.Argument(1).String())
	return goja.Undefined()
}

// nativeRandomFill fills an integer typed array, already checked by the caller,
// with random bytes.
func (st *state) nativeRandomFill(call goja.FunctionCall) goja.Value {
	var buf []byte
	if err := st.rt.ExportTo(call.Argument(0), &buf); err != nil {
		throwTypeError(st.rt, "getRandomValues: %v", err)
	}
	if len(buf) > maxRandomBytes {
		return st.rt.ToValue(false)
	}
	_, _ = rand.Read(buf) // crypto/rand.Read never returns an error since Go 1.24.
	return st.rt.ToValue(true)
}

func (st *state) nativeRandomUUID(goja.FunctionCall) goja.Value {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // variant 10
	s := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return st.rt.ToValue(s)
}

// nativeCopyBytes returns a new ArrayBuffer holding a copy of the bytes of a
// Uint8Array. bytes.Clone does not zero the new memory before copying, where
// Uint8Array.prototype.slice does.
func (st *state) nativeCopyBytes(call goja.FunctionCall) goja.Value {
	var data []byte
	if err := st.rt.ExportTo(call.Argument(0), &data); err != nil {
		throwTypeError(st.rt, "copy bytes: %v", err)
	}
	return st.rt.ToValue(st.rt.NewArrayBuffer(bytes.Clone(data)))
}

// nativePromiseState returns [state, result] for a promise, state being
// "pending", "fulfilled" or "rejected", or undefined for other values.
func (st *state) nativePromiseState(call goja.FunctionCall) goja.Value {
	p, ok := call.Argument(0).Export().(*goja.Promise)
	if !ok {
		return goja.Undefined()
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		return st.rt.NewArray("fulfilled", p.Result())
	case goja.PromiseStateRejected:
		return st.rt.NewArray("rejected", p.Result())
	default:
		return st.rt.NewArray("pending")
	}
}
