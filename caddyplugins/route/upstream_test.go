package route

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
)

func TestStatusErrorMapping(t *testing.T) {
	p := &catalog.Provider{Name: "acme", APIKey: "sk-provider-secret"}
	u := &upstream{provider: p}
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"provider rejects our key", 401, `{"error":{"message":"Incorrect API key provided: sk-provider-secret"}}`, nil, 502, "upstream_auth_failed", `"acme" refused the gateway's credentials`},
		{"rate limited keeps retry-after", 429, `{"error":{"message":"slow down"}}`, http.Header{"Retry-After": {"7"}}, 429, "upstream_rate_limited", "slow down"},
		{"client error keeps provider code", 400, `{"error":{"message":"bad temperature","code":"invalid_value","param":"temperature"}}`, nil, 400, "invalid_value", "bad temperature"},
		{"server error", 503, `not json`, nil, 502, "upstream_error", "status 503"},
		{"echoed key is scrubbed", 422, `{"error":{"message":"key sk-provider-secret is odd"}}`, nil, 422, "upstream_invalid_request", "[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: tt.header, Body: io.NopCloser(strings.NewReader(tt.body))}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			e := u.statusError(resp)
			if e.Status != tt.wantStatus || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("got %d %s %q, want %d %s containing %q", e.Status, e.Code, e.Message, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(e.Message, p.APIKey) {
				t.Error("the provider key leaked into the client's error")
			}
			if tt.status == 429 && e.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter = %v", e.RetryAfter)
			}
		})
	}
}

func TestRenameModelKeepsEverythingElse(t *testing.T) {
	in := `{"model":"alias","messages":[{"role":"user","content":"hi"}],"temperature":0.70,"seed":12345678901234567890}`
	out, err := rewriteBody([]byte(in), "upstream-name", false)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if string(got["model"]) != `"upstream-name"` || string(got["temperature"]) != "0.70" || string(got["seed"]) != "12345678901234567890" {
		t.Errorf("renamed body = %s", out)
	}
}

// flushSignal is a ResponseWriter that reports each flush with what had been
// written by then.
type flushSignal struct {
	*httptest.ResponseRecorder
	flushed chan string
}

func (f *flushSignal) Flush() { f.flushed <- f.Body.String() }

// TestRelayFlushesEachRead checks that a stream is flushed as it arrives.
func TestRelayFlushesEachRead(t *testing.T) {
	pr, pw := io.Pipe()
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: pr, ContentLength: -1}
	w := &flushSignal{ResponseRecorder: httptest.NewRecorder(), flushed: make(chan string, 4)}
	done := make(chan error)
	st := &state.Request{}
	go func() { done <- relay(w, resp, true, st) }()
	event := "data: {\"a\":1}\n\n"
	pw.Write([]byte(event)) //nolint:errcheck
	select {
	case got := <-w.flushed:
		if got != event {
			t.Errorf("flushed %q, want %q", got, event)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("first event was not flushed before the stream ended")
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("headers %v", w.Header())
	}
}

// piecewise reads its data in pieces of varying sizes, as a network would.
type piecewise struct {
	data []byte
	rnd  *rand.Rand
}

func (p *piecewise) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(b), len(p.data), 1+p.rnd.IntN(700))
	copy(b, p.data[:n])
	p.data = p.data[n:]
	return n, nil
}

// writeLog records every Write.
type writeLog struct {
	*httptest.ResponseRecorder
	writes []string
}

func (w *writeLog) Write(b []byte) (int, error) {
	w.writes = append(w.writes, string(b))
	return w.ResponseRecorder.Write(b)
}

// TestRelayStreamWholeEvents checks that a stream reaches the client in whole
// events, however the network cuts it, an event larger than the read buffer
// included, and that the usage-only chunk is read and left out.
func TestRelayStreamWholeEvents(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word %d\"}}]}\n\n", i)
	}
	fmt.Fprintf(&b, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", strings.Repeat("x", 3*relayBufSize))
	b.WriteString(": keep-alive comment\r\n\r\n")
	want := b.String() + "data: [DONE]\n\n"
	b.WriteString("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":41,\"total_tokens\":50}}\n\n")
	b.WriteString("data: [DONE]\n\n")
	for seed := range uint64(20) {
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
			Body: io.NopCloser(&piecewise{data: []byte(b.String()), rnd: rand.New(rand.NewPCG(seed, 1))})}
		w := &writeLog{ResponseRecorder: httptest.NewRecorder()}
		st := &state.Request{}
		written, err := relayAnswer(w, resp, true, true, st)
		if err != nil || !written {
			t.Fatalf("seed %d: written %v, err %v", seed, written, err)
		}
		if got := w.Body.String(); got != want {
			t.Fatalf("seed %d: relayed %d bytes, want %d", seed, len(got), len(want))
		}
		for i, s := range w.writes {
			if eventsEnd([]byte(s)) != len(s) {
				t.Fatalf("seed %d: write %d does not end with a whole event: %q", seed, i, s[max(0, len(s)-40):])
			}
		}
		if st.Usage != (state.Usage{PromptTokens: 9, CompletionTokens: 41, Reported: true}) {
			t.Fatalf("seed %d: usage %+v", seed, st.Usage)
		}
	}
}

// TestRelayStreamEventTooLarge checks that an event over the limit ends the
// relay with an error instead of growing without bound.
func TestRelayStreamEventTooLarge(t *testing.T) {
	body := io.MultiReader(strings.NewReader("data: {\"a\":1}\n\ndata: \""), strings.NewReader(strings.Repeat("x", providers.MaxEventSize+1)))
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(body)}
	w := httptest.NewRecorder()
	written, err := relayAnswer(w, resp, true, true, &state.Request{})
	if !errors.Is(err, providers.ErrEventTooLarge) || !written {
		t.Fatalf("written %v, err %v; want the first event written, then ErrEventTooLarge", written, err)
	}
	if w.Body.String() != "data: {\"a\":1}\n\n" {
		t.Errorf("relayed %q", w.Body.String())
	}
}

// TestCallContextNamesClientGone checks that a provider call ends with
// errClientGone as its cause when the client goes away, so that it is not
// taken for a provider failure.
func TestCallContextNamesClientGone(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Minute} {
		reqCtx, leave := context.WithCancel(context.Background())
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil).WithContext(reqCtx)
		ctx, cancel := (&Handler{}).callContext(r, &catalog.Provider{Timeout: timeout})
		leave()
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
			t.Fatal("the call outlived its client")
		}
		if !errors.Is(context.Cause(ctx), errClientGone) {
			t.Errorf("timeout %v: cause %v, want errClientGone", timeout, context.Cause(ctx))
		}
		cancel(nil)
	}
}

// TestReadAnswer checks reading a whole answer with and without a length,
// and with a length that is wrong either way.
func TestReadAnswer(t *testing.T) {
	body := strings.Repeat("x", 700)
	for _, length := range []int64{-1, 700, 100, 5000} {
		resp := &http.Response{ContentLength: length, Body: io.NopCloser(&piecewise{data: []byte(body), rnd: rand.New(rand.NewPCG(1, 2))})}
		got, err := readAnswer(resp)
		if err != nil || string(got) != body {
			t.Errorf("length %d: read %d bytes, %v", length, len(got), err)
		}
	}
}
