package webapi

import (
	"net/http"
	"strings"

	"github.com/dop251/goja"
)

// tokenChars marks the bytes that RFC 9110 allows in a token, the syntax of a
// header name: letters, digits and !#$%&'*+-.^_`|~.
var tokenChars = func() (table [256]bool) {
	for c := '0'; c <= '9'; c++ {
		table[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		table[c] = true
		table[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		table[c] = true
	}
	return table
}()

// validHeader reports whether every name in h is a token and every value
// passes validHeaderValue, the checks that the Headers class applies.
func validHeader(h http.Header) bool {
	for name, values := range h {
		if !isToken(name) {
			return false
		}
		for _, v := range values {
			if !validHeaderValue(v) {
				return false
			}
		}
	}
	return true
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v has no NUL, CR or LF once HTTP
// whitespace is trimmed from its ends.
func validHeaderValue(v string) bool {
	return !strings.ContainsAny(trimHTTPWhitespace(v), "\x00\r\n")
}

// nativeIsNormalHeaderValue reports whether a string is a valid header value
// that Headers stores unchanged: no HTTP whitespace at either end and no NUL,
// CR or LF.
func (st *state) nativeIsNormalHeaderValue(call goja.FunctionCall) goja.Value {
	v := call.Argument(0).String()
	normal := len(trimHTTPWhitespace(v)) == len(v) && !strings.ContainsAny(v, "\x00\r\n")
	return st.rt.ToValue(normal)
}

func trimHTTPWhitespace(s string) string {
	return strings.Trim(s, "\t\n\r ")
}
