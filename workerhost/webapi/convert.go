package webapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// NewRequest returns a JavaScript Request for req, with immutable headers as
// workerd gives a fetch handler. Call it on the loop goroutine; it does not
// block. A body other than nil or http.NoBody becomes a ReadableStream that reads
// req.Body on helper goroutines only as JavaScript pulls, and closes it at its
// end, on a read error, or on cancel. A body that JavaScript never reads stays
// open and remains the caller's to close.
func NewRequest(rt *goja.Runtime, req *http.Request) (goja.Value, error) {
	st, err := lookup(rt)
	if err != nil {
		return nil, err
	}
	url, host, err := requestURL(req)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	headers, normalized := flattenHeader(rt, req.Header, host)
	body := goja.Null()
	if hasBody(req.Body) {
		body = st.newBodyHandle(req.Body, knownLength(req.ContentLength))
	}
	v, err := st.makeRequest(goja.Undefined(), rt.ToValue(method), rt.ToValue(url), headers, rt.ToValue(normalized), body)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	return v, nil
}

// requestURL returns the absolute URL of req and its host. Server requests carry
// only a path, so the scheme comes from req.TLS and the host from req.Host.
func requestURL(req *http.Request) (url, host string, err error) {
	if req.URL == nil {
		return "", "", errors.New("request has no URL")
	}
	u := *req.URL
	host = req.Host
	if host == "" {
		host = u.Host
	}
	if !u.IsAbs() {
		if host == "" {
			return "", "", fmt.Errorf("request for %q has no host", u.String())
		}
		u.Scheme = "http"
		if req.TLS != nil {
			u.Scheme = "https"
		}
		u.Host = host
	}
	return u.String(), host, nil
}

// flattenHeader returns h as a JavaScript array [name, value, ...], adding a
// host header when h lacks one. When every name is a token and no value
// contains NUL, CR or LF after trimming, the names are in lower case and the
// values trimmed, as Headers stores them, and normalized is true. Otherwise
// they are as h has them, for Headers to check and reject.
func flattenHeader(rt *goja.Runtime, h http.Header, host string) (flat goja.Value, normalized bool) {
	addHost := host != "" && h.Get("Host") == ""
	normalized = validHeader(h) && (!addHost || validHeaderValue(host))
	list := make([]any, 0, 2*len(h)+2)
	if addHost {
		if normalized {
			host = trimHTTPWhitespace(host)
		}
		list = append(list, "host", host)
	}
	for name, values := range h {
		if normalized {
			name = strings.ToLower(name)
		}
		for _, v := range values {
			if normalized {
				v = trimHTTPWhitespace(v)
			}
			list = append(list, name, v)
		}
	}
	return rt.NewArray(list...), normalized
}

// NewResponse returns a JavaScript Response for resp, with immutable headers as
// fetch() results have in workerd. Call it on the loop goroutine; it does not
// block. The body streams like a NewRequest body. Statuses that carry no body
// (101, 204, 205, 304) get a null body, and resp.Body is closed at once.
func NewResponse(rt *goja.Runtime, resp *http.Response) (goja.Value, error) {
	st, err := lookup(rt)
	if err != nil {
		return nil, err
	}
	url := ""
	if resp.Request != nil && resp.Request.URL != nil {
		url = resp.Request.URL.String()
	}
	return st.newResponse(resp, url)
}

func (st *state) newResponse(resp *http.Response, url string) (goja.Value, error) {
	rt := st.rt
	body := goja.Null()
	switch resp.StatusCode {
	case 101, 204, 205, 304:
		if resp.Body != nil {
			_ = resp.Body.Close()
		}
	default:
		if hasBody(resp.Body) {
			body = st.newBodyHandle(resp.Body, knownLength(resp.ContentLength))
		}
	}
	statusText := goja.Null()
	if text := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))); text != "" {
		statusText = rt.ToValue(text)
	}
	headers, normalized := flattenHeader(rt, resp.Header, "")
	status := rt.ToValue(resp.StatusCode)
	v, err := st.makeResponse(goja.Undefined(), status, statusText, headers, rt.ToValue(normalized), body, rt.ToValue(url))
	if err != nil {
		return nil, fmt.Errorf("new response: %w", err)
	}
	return v, nil
}

// ExportRequest converts a JavaScript Request into an *http.Request. Call it on
// the loop goroutine; it does not block. It takes over the body, so the Request
// reports bodyUsed afterwards. A body that JavaScript built from a string or
// buffer is handed over at once, with a known ContentLength. A stream body is
// read through the returned request's Body, from any goroutine but the loop's,
// and closing that Body cancels the stream. Without a body, Body is http.NoBody. It returns ErrNotRequest when v is
// not a Request.
func ExportRequest(rt *goja.Runtime, v goja.Value) (*http.Request, error) {
	st, err := lookup(rt)
	if err != nil {
		return nil, err
	}
	return st.exportRequestValue(v)
}

func (st *state) exportRequestValue(v goja.Value) (*http.Request, error) {
	isRequest, err := st.exportRequest(goja.Undefined(), v)
	if err != nil {
		return nil, fmt.Errorf("export request: %w", err)
	}
	if !isRequest.ToBoolean() {
		return nil, fmt.Errorf("export request: %w", ErrNotRequest)
	}
	parts := st.takeExported()
	body, length := st.exportedBody(parts.body)
	req, err := http.NewRequest(parts.first.String(), parts.second.String(), body)
	if err != nil {
		closeBody(body)
		return nil, fmt.Errorf("export request: %w", err)
	}
	req.Header = st.headerFromArray(parts.headers)
	req.Header.Del("Host") // the URL gives the host, as in workerd
	req.ContentLength = length
	if req.Body == nil {
		req.Body = http.NoBody
	}
	return req, nil
}

// ExportResponse converts a JavaScript Response into an *http.Response, with
// the same body handling as ExportRequest. Call it on the loop goroutine; it
// does not block. It returns ErrNotResponse when v is not a Response, and an
// error for Response.error(), which is a network error with status 0.
func ExportResponse(rt *goja.Runtime, v goja.Value) (*http.Response, error) {
	st, err := lookup(rt)
	if err != nil {
		return nil, err
	}
	isResponse, err := st.exportResponse(goja.Undefined(), v)
	if err != nil {
		return nil, fmt.Errorf("export response: %w", err)
	}
	if !isResponse.ToBoolean() {
		return nil, fmt.Errorf("export response: %w", ErrNotResponse)
	}
	parts := st.takeExported()
	status := int(parts.first.ToInteger())
	if status == 0 {
		return nil, errors.New("export response: Response.error() is a network error and has no HTTP form")
	}
	body, length := st.exportedBody(parts.body)
	if body == nil {
		body = http.NoBody
	}
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + parts.second.String(),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        st.headerFromArray(parts.headers),
		Body:          body,
		ContentLength: length,
	}, nil
}

// exportedParts are the parts of a Request or Response that exportRequest
// and exportResponse pass to native.exportParts: the method and URL, or the
// status and status text, then the flat header list and the body as
// exportBody returns it.
type exportedParts struct {
	first, second, headers, body goja.Value
}

func (st *state) nativeExportParts(call goja.FunctionCall) goja.Value {
	st.exported = exportedParts{call.Argument(0), call.Argument(1), call.Argument(2), call.Argument(3)}
	return goja.Undefined()
}

// takeExported returns the parts of the last export and clears them, so the
// state does not keep the body alive.
func (st *state) takeExported() exportedParts {
	parts := st.exported
	st.exported = exportedParts{}
	return parts
}

// exportedBody returns the body that exportBody returned and its length, -1
// when unknown. Buffered bytes are used without a copy, since JavaScript code
// never writes to a body's internal buffer. A Go body that JavaScript passed
// along without reading is returned as it is, so no chunk crosses the loop.
func (st *state) exportedBody(body goja.Value) (io.ReadCloser, int64) {
	if body == nil || goja.IsNull(body) {
		return nil, 0
	}
	switch body.ExportType() {
	case bytesType:
		data := body.Export().([]byte)
		return io.NopCloser(bytes.NewReader(data)), int64(len(data))
	case goBodyType:
		b := body.Export().(*goBody)
		b.owner.release()
		return b.body, b.length
	}
	return newJSBody(st, body), -1
}

var (
	bytesType  = reflect.TypeFor[[]byte]()
	goBodyType = reflect.TypeFor[*goBody]()
)

// knownLength returns n, or -1 for the zero and negative values with which
// net/http marks an unknown length on a body that is present.
func knownLength(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// headerFromArray converts a flat [name, value, ...] array of strings, as
// headersList returns it, into an http.Header. It reads the array by index,
// which costs no reflection and no copy of the strings.
func (st *state) headerFromArray(v goja.Value) http.Header {
	flat := v.ToObject(st.rt)
	n := int(flat.Get("length").ToInteger())
	h := make(http.Header, n/2)
	for i := 0; i+1 < n; i += 2 {
		h.Add(flat.Get(strconv.Itoa(i)).String(), flat.Get(strconv.Itoa(i+1)).String())
	}
	return h
}

func closeBody(body io.ReadCloser) {
	if body != nil {
		_ = body.Close()
	}
}
