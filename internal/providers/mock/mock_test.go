package mock

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

func chatCall(t *testing.T, a providers.Adapter, body string) *providers.Call {
	t.Helper()
	var req oai.ChatRequest
	if err := oai.DecodeChat([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	call, err := a.Chat(&providers.ChatCall{Model: &catalog.Model{ID: "mock-gpt", Upstream: "mock-gpt"}, Request: &req, Body: []byte(body), ID: "req_1"})
	if err != nil {
		t.Fatal(err)
	}
	return call
}

// TestStreamDripsChunksAndKeepsUsageFromTheClient checks the mock's stream:
// the chunk delay between events, the usage read and kept from a client
// that did not ask for it, [DONE] at the end.
func TestStreamDripsChunksAndKeepsUsageFromTheClient(t *testing.T) {
	a := New(&catalog.Provider{Name: "mock", Type: catalog.TypeMock, MockChunkDelay: 5 * time.Millisecond}, providers.Options{})
	call := chatCall(t, a, `{"model":"mock-gpt","stream":true,"max_tokens":4,"messages":[{"role":"user","content":"hi"}]}`)
	start := time.Now()
	resp, err := a.Send(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	events := strings.Count(string(raw), "\n\n")
	if d := time.Since(start); d < time.Duration(events-1)*5*time.Millisecond {
		t.Errorf("%d events in %v: the chunk delay was not kept", events, d)
	}
	if !strings.HasSuffix(string(raw), "data: [DONE]\n\n") || !strings.Contains(string(raw), `"usage":{`) {
		t.Errorf("stream %s", raw)
	}
}

// TestSendEndsWithTheClient checks that the mock's latency and a dripping
// stream both end when the call's context does.
func TestSendEndsWithTheClient(t *testing.T) {
	a := New(&catalog.Provider{Name: "mock", Type: catalog.TypeMock, MockLatency: time.Minute}, providers.Options{})
	ctx, cancel := context.WithCancelCause(context.Background())
	gone := errors.New("client gone")
	time.AfterFunc(10*time.Millisecond, func() { cancel(gone) })
	if _, err := a.Send(ctx, chatCall(t, a, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)); !errors.Is(err, gone) {
		t.Fatalf("err = %v, want the context's cause", err)
	}

	a = New(&catalog.Provider{Name: "mock", Type: catalog.TypeMock, MockChunkDelay: time.Minute}, providers.Options{})
	ctx, cancel = context.WithCancelCause(context.Background())
	resp, err := a.Send(ctx, chatCall(t, a, `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatalf("first event: %v", err)
	}
	cancel(gone)
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, gone) {
		t.Errorf("reading on after the client left: %v", err)
	}
}
