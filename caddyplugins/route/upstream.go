package route

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers/anthropic"
	"github.com/aigw/aigw/internal/providers/gemini"
)

// upstream calls one provider over HTTP.
type upstream struct {
	provider *catalog.Provider
	base     string // base URL without trailing slash
	client   *http.Client
	// headers go on every call, built once. Calls share their value slices,
	// which nothing writes to (a Set or Add replaces or reallocates them).
	headers http.Header
}

func newUpstream(p *catalog.Provider, maxIdlePerHost int) *upstream {
	dialer := &net.Dialer{Timeout: p.ConnectTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdlePerHost * 2,
		MaxIdleConnsPerHost:   maxIdlePerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   p.ConnectTimeout,
		ResponseHeaderTimeout: p.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &upstream{
		provider: p,
		base:     strings.TrimRight(p.BaseURL, "/"),
		// No client timeout: the call's context bounds it, streams included.
		client:  &http.Client{Transport: tr},
		headers: callHeaders(p),
	}
}

// call sends body to url for one attempt and, when the provider answered,
// calls started and returns its answer and when it was sent; otherwise it
// returns the outcome that ends the attempt: the provider's error, or the
// client gone.
func (u *upstream) call(ctx context.Context, url string, body []byte, st *state.Request, started func()) (*http.Response, time.Time, *outcome) {
	sent := time.Now()
	resp, e, err := u.send(ctx, url, body, st)
	switch {
	case e != nil:
		return nil, sent, &outcome{e: e, err: err}
	case err != nil:
		return nil, sent, &outcome{err: errClientGone}
	}
	started()
	return resp, sent, nil
}

// callHeaders are the request headers of every call to p: content type,
// accept, the key where p's type wants it, the API version.
func callHeaders(p *catalog.Provider) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	if key := p.APIKey; key != "" {
		switch p.Type {
		case catalog.TypeAzure:
			h.Set("Api-Key", key)
		case catalog.TypeAnthropic:
			h.Set("X-Api-Key", key)
		case catalog.TypeGemini:
			h.Set("X-Goog-Api-Key", key)
		default:
			h.Set("Authorization", "Bearer "+key)
		}
	}
	if p.Type == catalog.TypeAnthropic {
		h.Set("Anthropic-Version", anthropic.Version)
	}
	return h
}

func (u *upstream) close() { u.client.CloseIdleConnections() }

// errClientGone means the client went away; nothing can be written to it.
var errClientGone = errors.New("client disconnected")

// errAttemptTimeout ends an attempt whose first byte took longer than the
// route's attempt_timeout.
var errAttemptTimeout = errors.New("attempt timed out before the first byte")

// send posts body to url with the provider's credentials and returns the
// response when the provider accepted the call. A refusal or failure becomes
// the OpenAI-style error for the client (nil when the client left), with the
// cause as error.
func (u *upstream) send(ctx context.Context, url string, body []byte, st *state.Request) (*http.Response, *apierr.Error, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, apierr.New(http.StatusBadGateway, "upstream_unreachable", "The provider could not be called."), fmt.Errorf("building upstream request: %w", err)
	}
	for name, v := range u.headers {
		req.Header[name] = v
	}
	req.Header["X-Request-Id"] = []string{st.ID}
	if st.ProviderCalled.IsZero() {
		st.ProviderCalled = time.Now()
	}
	resp, err := u.client.Do(req)
	if resp != nil {
		st.ProviderAnswered = time.Now()
	}
	if err != nil {
		return nil, u.transportError(ctx, err), err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, u.failure(resp), fmt.Errorf("provider %s answered %d", u.provider.Name, resp.StatusCode)
	}
	return resp, nil, nil
}

// failure normalises a provider's non-2xx answer for its type.
func (u *upstream) failure(resp *http.Response) *apierr.Error {
	var e *apierr.Error
	switch u.provider.Type {
	case catalog.TypeAnthropic, catalog.TypeGemini:
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if u.provider.Type == catalog.TypeAnthropic {
			e = anthropic.Error(u.provider.Name, u.provider.APIKey, resp.StatusCode, raw)
		} else {
			e = gemini.Error(u.provider.Name, u.provider.APIKey, resp.StatusCode, raw)
		}
	default:
		return u.statusError(resp)
	}
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	}
	return e
}

// transportError classifies a failed call: client gone, timeout (504) or
// unreachable (502).
func (u *upstream) transportError(ctx context.Context, err error) *apierr.Error {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), errClientGone) {
		return nil
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() ||
		errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return apierr.Newf(http.StatusGatewayTimeout, "upstream_timeout",
			"The provider %q did not answer in time.", u.provider.Name)
	}
	return apierr.Newf(http.StatusBadGateway, "upstream_unreachable",
		"The provider %q could not be reached.", u.provider.Name)
}

// providerError is the error body OpenAI-compatible servers send.
type providerError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
		Param   string `json:"param"`
	} `json:"error"`
}

// statusError turns a provider's refusal into the client's error. The
// provider's own credentials problems are the gateway's, not the client's, so
// they become 502; the provider's message is kept for client errors, with the
// provider key scrubbed in case a provider echoes it.
func (u *upstream) statusError(resp *http.Response) *apierr.Error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var pe providerError
	msg := ""
	if json.Unmarshal(raw, &pe) == nil {
		msg = pe.Error.Message
	}
	if u.provider.APIKey != "" {
		msg = strings.ReplaceAll(msg, u.provider.APIKey, "[REDACTED]")
	}
	name := u.provider.Name
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return apierr.Newf(http.StatusBadGateway, "upstream_auth_failed",
			"The provider %q refused the gateway's credentials.", name)
	case code == http.StatusTooManyRequests:
		e := apierr.New(http.StatusTooManyRequests, "upstream_rate_limited", orText(msg, "The provider is rate limiting requests."))
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
		return e
	case code >= 400 && code < 500:
		e := apierr.New(code, codeString(pe.Error.Code, "upstream_invalid_request"), orText(msg, http.StatusText(code)))
		e.Param = pe.Error.Param
		return e
	default:
		return apierr.Newf(http.StatusBadGateway, "upstream_error", "The provider %q failed with status %d: %s",
			name, code, orText(msg, http.StatusText(code)))
	}
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func codeString(c any, def string) string {
	if s, ok := c.(string); ok && s != "" {
		return s
	}
	return def
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var secs int
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
