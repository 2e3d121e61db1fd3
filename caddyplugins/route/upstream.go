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
	"strconv"
	"strings"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
)

// upstream calls one OpenAI-compatible provider.
type upstream struct {
	provider *catalog.Provider
	base     string // base URL without trailing slash
	client   *http.Client
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
		client: &http.Client{Transport: tr},
	}
}

func (u *upstream) close() { u.client.CloseIdleConnections() }

// errClientGone means the client went away; nothing can be written to it.
var errClientGone = errors.New("client disconnected")

// post sends body to path (e.g. "/chat/completions") and returns the response
// when the provider accepted the call. A refusal or failure becomes the
// OpenAI-style error for the client; errClientGone when the client left.
func (u *upstream) post(ctx context.Context, path string, body []byte, requestID string) (*http.Response, *apierr.Error, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("building upstream request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("X-Request-Id", requestID)
	if u.provider.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+u.provider.APIKey)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, u.transportError(ctx, err), err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, u.statusError(resp), fmt.Errorf("provider %s answered %d", u.provider.Name, resp.StatusCode)
	}
	return resp, nil, nil
}

// transportError classifies a failed call: client gone, timeout (504) or
// unreachable (502).
func (u *upstream) transportError(ctx context.Context, err error) *apierr.Error {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), errClientGone) {
		return nil
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
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

// relay copies a provider's answer to the client and records in st when the
// first byte went out and the usage the provider reported. Streams are
// flushed as each read returns, so every event reaches the client as the
// provider sends it.
func relay(w http.ResponseWriter, resp *http.Response, stream bool, st *state.Request) error {
	h := w.Header()
	h.Set("Content-Type", resp.Header.Get("Content-Type"))
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		h.Set("X-Request-Id", id)
	}
	if !stream {
		return relayWhole(w, resp, st)
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	var watch sseUsage
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if st.FirstByte.IsZero() {
				st.FirstByte = time.Now()
			}
			watch.observe(buf[:n])
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if ferr := rc.Flush(); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			st.Usage = watch.usage
			return nil
		}
		if err != nil {
			st.Usage = watch.usage
			return err
		}
	}
}

// relayWhole reads a non-streamed answer (up to maxBufferedAnswer), takes its
// usage, and sends it with its length.
func relayWhole(w http.ResponseWriter, resp *http.Response, st *state.Request) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedAnswer+1))
	if err != nil {
		return err
	}
	if len(body) > maxBufferedAnswer {
		w.WriteHeader(resp.StatusCode)
		st.FirstByte = time.Now()
		if _, err := w.Write(body); err != nil {
			return err
		}
		_, err = io.Copy(w, resp.Body)
		return err
	}
	st.Usage, _ = usageFromBody(body)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	st.FirstByte = time.Now()
	_, err = w.Write(body)
	return err
}
