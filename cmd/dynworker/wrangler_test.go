package main

import "testing"

func TestStripJSONComments(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"line comment", "{\"a\": 1 // note\n}", "{\"a\": 1 \n}"},
		{"block comment", `{"a": /* x */ 1}`, `{"a":  1}`},
		{"slashes in string", `{"u": "http://x/*y*/"}`, `{"u": "http://x/*y*/"}`},
		{"escaped quote", `{"q": "a\"//b"}`, `{"q": "a\"//b"}`},
		{"trailing commas", "{\"a\": [1, 2,],\n}", "{\"a\": [1, 2]\n}"},
		{"comma in string", `{"s": ",]"}`, `{"s": ",]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(stripJSONComments([]byte(tt.in))); got != tt.want {
				t.Errorf("stripJSONComments(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
