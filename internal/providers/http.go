package providers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
)

// HTTP sends calls to one provider over HTTP: the part of Send and Close
// that the HTTP adapters share. Its header, built once, goes on every call;
// calls share its value slices, which nothing writes to.
type HTTP struct {
	client *http.Client
	header http.Header
}

// NewHTTP prepares the client of provider p; header holds what every call
// carries besides the content type (credentials, API version).
func NewHTTP(p *catalog.Provider, o Options, header http.Header) *HTTP {
	maxIdle := o.MaxIdleConns
	if maxIdle <= 0 {
		maxIdle = 256
	}
	dialer := &net.Dialer{Timeout: p.ConnectTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdle * 2,
		MaxIdleConnsPerHost:   maxIdle,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   p.ConnectTimeout,
		ResponseHeaderTimeout: p.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
	h := http.Header{}
	for k, v := range header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	// No client timeout: the call's context bounds it, streams included.
	return &HTTP{client: &http.Client{Transport: tr}, header: h}
}

// Send posts call.Body to call.URL with the provider's header and the
// gateway's request id.
func (h *HTTP) Send(ctx context.Context, call *Call) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, call.URL, bytes.NewReader(call.Body))
	if err != nil {
		return nil, fmt.Errorf("building the provider request: %w", err)
	}
	for name, v := range h.header {
		req.Header[name] = v
	}
	if call.RequestID != "" {
		req.Header["X-Request-Id"] = []string{call.RequestID}
	}
	return h.client.Do(req)
}

// Close closes idle connections.
func (h *HTTP) Close() { h.client.CloseIdleConnections() }

// WithRetryAfter sets the Retry-After a provider sent on a rate limit or an
// overload (429, 503) as e's, when e has none; other refusals are left as
// they are. It returns e.
func WithRetryAfter(e *apierr.Error, header http.Header) *apierr.Error {
	if e.RetryAfter == 0 && (e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable) {
		e.RetryAfter = RetryAfter(header)
	}
	return e
}

// RetryAfter reads a Retry-After header: seconds, or an HTTP date; 0 when
// absent or past. OpenAI's retry-after-ms, finer, wins when present.
func RetryAfter(h http.Header) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
