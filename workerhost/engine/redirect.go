package engine

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/dynworker/dynworker/workerhost/webapi"
)

// maxRedirects is how many redirects fetch() follows, as in browsers and
// workerd.
const maxRedirects = 20

// fetchFollowing sends req through the host and, unless the worker asked
// for redirect: "manual", follows redirects as fetch() does. Every hop goes
// through the host, so each one passes the supervisor's outbound checks.
// A redirect that would need a streamed request body sent again is returned
// to the worker as it is.
func (e *Engine) fetchFollowing(ctx context.Context, req *http.Request) (*http.Response, error) {
	manual := webapi.FetchRedirect(ctx) == "manual"
	for hops := 0; ; hops++ {
		resp, err := e.host.Fetch(ctx, req)
		if err != nil || manual || !isRedirect(resp.StatusCode) {
			return resp, err
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return resp, nil
		}
		if hops == maxRedirects {
			resp.Body.Close()
			return nil, fmt.Errorf("Too many redirects.")
		}
		next, ok, err := redirectRequest(ctx, req, resp.StatusCode, loc)
		if err != nil || !ok {
			if err != nil {
				resp.Body.Close()
			}
			return resp, err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		req = next
	}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectRequest builds the request that follows a redirect to loc, and
// reports false when it cannot be built because the body is gone.
func redirectRequest(ctx context.Context, req *http.Request, status int, loc string) (*http.Request, bool, error) {
	u, err := req.URL.Parse(loc)
	if err != nil {
		return nil, false, fmt.Errorf("invalid redirect location %q: %w", loc, err)
	}
	method, body := req.Method, req.Body
	keepBody := status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect
	if !keepBody && (status == http.StatusSeeOther || method == http.MethodPost) {
		if method != http.MethodHead {
			method = http.MethodGet
		}
		body = nil
	}
	if keepBody && body != nil && body != http.NoBody {
		if req.GetBody == nil {
			return nil, false, nil
		}
		if body, err = req.GetBody(); err != nil {
			return nil, false, err
		}
	}
	next, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, false, err
	}
	next.Header = req.Header.Clone()
	if body == nil {
		next.Header.Del("Content-Type")
		next.Header.Del("Content-Length")
	}
	return next, true, nil
}
