package webapi

import "testing"

func TestEncoding(t *testing.T) {
	tests := []scriptCase{
		{
			name:   "encode",
			script: `return [...new TextEncoder().encode("h€")].join()`,
			want:   "104,226,130,172",
		},
		{
			name:   "encode lone surrogate",
			script: `return [...new TextEncoder().encode("\uD800")].join()`,
			want:   "239,191,189",
		},
		{
			name:   "encodeInto stops at a whole character",
			script: `const dst = new Uint8Array(4); const r = new TextEncoder().encodeInto("a€b", dst); return [r.read, r.written].join()`,
			want:   "2,4",
		},
		{
			name:   "encodeInto counts surrogate pairs",
			script: `const r = new TextEncoder().encodeInto("😀", new Uint8Array(4)); return [r.read, r.written].join()`,
			want:   "2,4",
		},
		{
			name:   "decode",
			script: `return new TextDecoder().decode(new Uint8Array([104, 226, 130, 172]))`,
			want:   "h€",
		},
		{
			name:   "decode strips BOM",
			script: `return new TextDecoder().decode(new Uint8Array([0xEF, 0xBB, 0xBF, 65])).length`,
			want:   "1",
		},
		{
			name:   "decode keeps BOM with ignoreBOM",
			script: `return new TextDecoder("utf-8", {ignoreBOM: true}).decode(new Uint8Array([0xEF, 0xBB, 0xBF, 65])).length`,
			want:   "2",
		},
		{
			name:   "decode streaming split character",
			script: `const d = new TextDecoder(); return d.decode(new Uint8Array([226, 130]), {stream: true}) + d.decode(new Uint8Array([172]))`,
			want:   "€",
		},
		{
			name:   "decode ArrayBuffer and DataView",
			script: `const b = new Uint8Array([65, 66]).buffer; return new TextDecoder().decode(b) + new TextDecoder().decode(new DataView(b, 1))`,
			want:   "ABB",
		},
		{
			name:    "fatal decode",
			script:  `new TextDecoder("utf-8", {fatal: true}).decode(new Uint8Array([0xFF]))`,
			wantErr: "TypeError: Failed to decode input.",
		},
		{
			name:    "unsupported label",
			script:  `new TextDecoder("latin2")`,
			wantErr: `RangeError: "latin2" is not a valid encoding.`,
		},
		{
			name:   "decode UTF-16 with byte order mark",
			script: `return [new TextDecoder("utf-16").decode(new Uint8Array([0xFF, 0xFE, 0x61, 0x00, 0xAC, 0x20])), new TextDecoder("utf-16be").decode(new Uint8Array([0xFE, 0xFF, 0x00, 0x62]))].join()`,
			want:   "a€,b",
		},
		{
			name:   "decode UTF-16 keeps unpaired surrogates",
			script: `const s = new TextDecoder("utf-16le").decode(new Uint8Array([0x00, 0xDC, 0x61, 0x00, 0x62])); return [...s].map((c) => c.charCodeAt(0).toString(16)).join()`,
			want:   "dc00,61,fffd",
		},
		{
			name:   "decode UTF-16 streaming odd byte and surrogate pair",
			script: `const d = new TextDecoder("utf-16le"); return [d.decode(new Uint8Array([0x61]), {stream: true}), d.decode(new Uint8Array([0x00, 0x3D, 0xD8]), {stream: true}), d.decode(new Uint8Array([0x00, 0xDE]))].join("|")`,
			want:   "|a|😀",
		},
		{
			name:    "fatal UTF-16 odd byte",
			script:  `new TextDecoder("utf-16le", {fatal: true}).decode(new Uint8Array([0x61]))`,
			wantErr: "TypeError: Failed to decode input.",
		},
		{
			name:   "label and options",
			script: `const d = new TextDecoder(" UTF8 ", {fatal: true}); return [d.encoding, d.fatal, d.ignoreBOM].join()`,
			want:   "utf-8,true,false",
		},
		{
			name:   "btoa and atob",
			script: `return btoa("\xff\x00a") + " " + atob(" /w Bh ").length`,
			want:   "/wBh 3",
		},
		{
			name:   "atob without padding",
			script: `return atob("YQ")`,
			want:   "a",
		},
		{
			name:    "atob invalid",
			script:  `atob("a")`,
			wantErr: "InvalidCharacterError: The string to be decoded is not correctly encoded.",
		},
		{
			name:    "btoa outside Latin-1",
			script:  `btoa("€")`,
			wantErr: "InvalidCharacterError",
		},
	}
	runScripts(t, tests)
}

func TestUTF8Decoder(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{name: "ascii", input: []byte("abc"), want: "abc"},
		{name: "valid replacement character", input: []byte("\xEF\xBF\xBD"), want: "\uFFFD"},
		{name: "truncated sequence then ascii", input: []byte("\xE2\x82A"), want: "\uFFFDA"},
		{name: "truncated at end", input: []byte("a\xE2\x82"), want: "a\uFFFD"},
		{name: "lone continuation bytes", input: []byte("\x80\x80"), want: "\uFFFD\uFFFD"},
		{name: "overlong", input: []byte("\xC0\xAF"), want: "\uFFFD\uFFFD"},
		{name: "surrogate encoded", input: []byte("\xED\xA0\x80"), want: "\uFFFD\uFFFD\uFFFD"},
		{name: "four bytes", input: []byte("\xF0\x9F\x98\x80"), want: "😀"},
		{name: "above U+10FFFF", input: []byte("\xF4\x90\x80\x80"), want: "\uFFFD\uFFFD\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &utf8Decoder{}
			got, ok := d.decode(tt.input, false)
			if !ok {
				t.Fatal("decode failed without fatal")
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUTF8DecoderFatalKeepsValidReplacement(t *testing.T) {
	d := &utf8Decoder{fatal: true}
	if got, ok := d.decode([]byte("\xEF\xBF\xBD"), false); !ok || got != "\uFFFD" {
		t.Errorf("got %q, %v; want U+FFFD and true", got, ok)
	}
	if _, ok := d.decode([]byte("\xE2\x82"), false); ok {
		t.Error("truncated input decoded with fatal set")
	}
}
