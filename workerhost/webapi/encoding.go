package webapi

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// nativeUTF8Encode returns the UTF-8 bytes of a string as an ArrayBuffer. Lone
// surrogates become U+FFFD, as the Encoding standard requires.
func (st *state) nativeUTF8Encode(call goja.FunctionCall) goja.Value {
	s := call.Argument(0).String()
	return st.rt.ToValue(st.rt.NewArrayBuffer([]byte(s)))
}

// nativeUTF8EncodeInto writes as many whole characters of a string as fit into a
// Uint8Array and returns [read, written], read counting UTF-16 code units.
func (st *state) nativeUTF8EncodeInto(call goja.FunctionCall) goja.Value {
	var dst []byte
	if err := st.rt.ExportTo(call.Argument(1), &dst); err != nil {
		throwTypeError(st.rt, "encodeInto: %v", err)
	}
	read, written := 0, 0
	for _, r := range call.Argument(0).String() {
		size := utf8.RuneLen(r)
		if written+size > len(dst) {
			break
		}
		utf8.EncodeRune(dst[written:], r)
		written += size
		read++
		if r > 0xFFFF {
			read++ // a surrogate pair in UTF-16
		}
	}
	return st.rt.NewArray(read, written)
}

// nativeNewUTF8Decoder returns a decode(bytes, stream) function with its own
// state. The function returns the decoded string, or null when fatal is set and
// the input is invalid.
func (st *state) nativeNewUTF8Decoder(call goja.FunctionCall) goja.Value {
	d := &utf8Decoder{fatal: call.Argument(0).ToBoolean(), ignoreBOM: call.Argument(1).ToBoolean()}
	return st.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		var in []byte
		if arg := c.Argument(0); !goja.IsUndefined(arg) {
			if err := st.rt.ExportTo(arg, &in); err != nil {
				throwTypeError(st.rt, "decode: %v", err)
			}
		}
		s, ok := d.decode(in, c.Argument(1).ToBoolean())
		if !ok {
			return goja.Null()
		}
		return st.rt.ToValue(s)
	})
}

// nativeUTF8Decode decodes bytes as TextDecoder does with its default options
// and no streaming: invalid sequences become U+FFFD and a leading byte order
// mark is removed.
func (st *state) nativeUTF8Decode(call goja.FunctionCall) goja.Value {
	var in []byte
	if err := st.rt.ExportTo(call.Argument(0), &in); err != nil {
		throwTypeError(st.rt, "decode: %v", err)
	}
	var d utf8Decoder
	s, _ := d.decode(in, false)
	return st.rt.ToValue(s)
}

// utf8Decoder implements the UTF-8 decoder of the Encoding standard, which
// replaces each maximal invalid subsequence with one U+FFFD (Go's own decoding
// replaces each invalid byte instead).
type utf8Decoder struct {
	fatal     bool
	ignoreBOM bool

	pending    []byte // an incomplete sequence held back by a streaming call
	bomChecked bool
}

func (d *utf8Decoder) decode(in []byte, stream bool) (string, bool) {
	data := in
	if len(d.pending) > 0 {
		data = append(d.pending, in...)
		d.pending = nil
	}
	if utf8.Valid(data) {
		// Valid input has no sequence to replace or hold back.
		return d.finish(string(data), stream), true
	}
	var out strings.Builder
	out.Grow(len(data))
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			out.WriteByte(data[i])
			i++
			continue
		}
		r, next, status := decodeSequence(data, i)
		if status == sequenceTruncated && stream {
			d.pending = append([]byte(nil), data[i:]...)
			break
		}
		if status != sequenceValid && d.fatal {
			d.reset()
			return "", false
		}
		out.WriteRune(r)
		i = next
	}
	return d.finish(out.String(), stream), true
}

// finish removes a leading byte order mark from the first decoded text unless
// ignoreBOM is set, and resets the decoder at the end of a stream.
func (d *utf8Decoder) finish(s string, stream bool) string {
	if !d.bomChecked && len(s) > 0 {
		d.bomChecked = true
		if !d.ignoreBOM {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
	}
	if !stream {
		d.reset()
	}
	return s
}

func (d *utf8Decoder) reset() {
	d.pending = nil
	d.bomChecked = false
}

// sequenceStatus is the outcome of decodeSequence.
type sequenceStatus int

const (
	sequenceValid     sequenceStatus = iota
	sequenceInvalid                  // the bytes cannot start or continue a character
	sequenceTruncated                // the input ends inside a sequence that is valid so far
)

// decodeSequence decodes the multi-byte sequence that starts at data[i]. It
// returns the character (U+FFFD unless valid) and the index after the bytes
// consumed.
func decodeSequence(data []byte, i int) (r rune, next int, status sequenceStatus) {
	b := data[i]
	lower, upper := byte(0x80), byte(0xBF)
	var need int
	switch {
	case b >= 0xC2 && b <= 0xDF:
		need, r = 1, rune(b&0x1F)
	case b >= 0xE0 && b <= 0xEF:
		need, r = 2, rune(b&0x0F)
		if b == 0xE0 {
			lower = 0xA0
		} else if b == 0xED {
			upper = 0x9F
		}
	case b >= 0xF0 && b <= 0xF4:
		need, r = 3, rune(b&0x07)
		if b == 0xF0 {
			lower = 0x90
		} else if b == 0xF4 {
			upper = 0x8F
		}
	default:
		return utf8.RuneError, i + 1, sequenceInvalid
	}
	j := i + 1
	for ; need > 0; need-- {
		if j >= len(data) {
			return utf8.RuneError, j, sequenceTruncated
		}
		c := data[j]
		if c < lower || c > upper {
			// c is not consumed, because it may start the next character.
			return utf8.RuneError, j, sequenceInvalid
		}
		lower, upper = 0x80, 0xBF
		r = r<<6 | rune(c&0x3F)
		j++
	}
	return r, j, sequenceValid
}

// nativeAtob decodes base64 with the forgiving-base64 rules of the HTML standard
// and returns a string of one character per byte, or null for invalid input.
func (st *state) nativeAtob(call goja.FunctionCall) goja.Value {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			return -1
		}
		return r
	}, call.Argument(0).String())
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "="), "=")
	}
	if len(s)%4 == 1 {
		return goja.Null()
	}
	decoded, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return goja.Null()
	}
	return st.rt.ToValue(latin1String(decoded))
}

// nativeBtoa encodes a string whose characters are all below U+0100 as base64,
// or returns null when one is not.
func (st *state) nativeBtoa(call goja.FunctionCall) goja.Value {
	s := call.Argument(0).String()
	raw := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return goja.Null()
		}
		raw = append(raw, byte(r))
	}
	return st.rt.ToValue(base64.StdEncoding.EncodeToString(raw))
}

func latin1String(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}
