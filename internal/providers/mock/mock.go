// Package mock is the adapter of the in-process mock provider (type mock):
// deterministic OpenAI-format answers from internal/mockllm, after the
// provider's latency and, when streamed, with its delay between chunks. It
// answers through the same path as a real provider — an *http.Response read
// by the OpenAI adapter's reader — so that everything but the network is
// exercised by tests, demos and offline runs.
package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/mockllm"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/providers/openai"
)

func init() {
	providers.Register(providers.Type{Name: catalog.TypeMock, New: New})
}

// Adapter answers in process.
type Adapter struct{ p *catalog.Provider }

// New makes the adapter of mock provider p.
func New(p *catalog.Provider, _ providers.Options) providers.Adapter { return &Adapter{p: p} }

// Chat prepares an answer to the request.
func (a *Adapter) Chat(c *providers.ChatCall) (*providers.Call, error) {
	req := c.Request
	hide := openai.HidesUsage(req.Stream, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
	return &providers.Call{URL: "mock:" + a.p.Name, Stream: req.Stream, RequestID: c.ID, Model: c.Model,
		Chat: req, Reader: openai.NewReader(hide)}, nil
}

// Embeddings prepares an answer to the request.
func (a *Adapter) Embeddings(c *providers.EmbeddingsCall) (*providers.Call, error) {
	return &providers.Call{URL: "mock:" + a.p.Name, RequestID: c.ID, Model: c.Model,
		Embeddings: c.Request, Reader: openai.NewReader(false)}, nil
}

// Send answers after the provider's latency, or returns the context's cause
// when it ends first.
func (a *Adapter) Send(ctx context.Context, call *providers.Call) (*http.Response, error) {
	if !sleep(ctx, a.p.MockLatency) {
		return nil, context.Cause(ctx)
	}
	if call.Embeddings != nil {
		return a.embeddings(call)
	}
	ans := mockllm.Chat(call.Chat)
	id := "chatcmpl-" + strings.TrimPrefix(call.RequestID, "req_")
	created := time.Now().Unix()
	if !call.Chat.Stream {
		body, err := json.Marshal(mockllm.Completion(&ans, id, call.Model.ID, created))
		if err != nil {
			return nil, fmt.Errorf("encoding the mock answer: %w", err)
		}
		return answer("application/json", body), nil
	}
	// Usage always comes: the reader keeps it from a client that did not ask.
	var events []byte
	chunks := mockllm.Chunks(&ans, id, call.Model.ID, created, true)
	for _, c := range chunks {
		b, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("encoding a mock chunk: %w", err)
		}
		events = append(append(append(events, "data: "...), b...), '\n', '\n')
	}
	events = append(events, oai.SSEDone...)
	if a.p.MockChunkDelay <= 0 {
		return answer("text/event-stream", events), nil
	}
	pr, pw := io.Pipe()
	go a.drip(ctx, pw, events)
	resp := answer("text/event-stream", nil)
	resp.Body, resp.ContentLength = pr, -1
	return resp, nil
}

// drip writes events one at a time, the provider's chunk delay apart; it
// ends when the reader closes the pipe or ctx ends.
func (a *Adapter) drip(ctx context.Context, pw *io.PipeWriter, events []byte) {
	for i := 0; len(events) > 0; i++ {
		if i > 0 && !sleep(ctx, a.p.MockChunkDelay) {
			pw.CloseWithError(context.Cause(ctx))
			return
		}
		n := bytes.Index(events, []byte("\n\n")) + 2
		if _, err := pw.Write(events[:n]); err != nil {
			return
		}
		events = events[n:]
	}
	pw.Close()
}

func (a *Adapter) embeddings(call *providers.Call) (*http.Response, error) {
	req, m := call.Embeddings, call.Model
	inputs, err := req.Inputs()
	if err != nil {
		return nil, fmt.Errorf("reading the embeddings input: %w", err)
	}
	dims := m.Dimensions
	if req.Dimensions != nil && *req.Dimensions < dims {
		dims = *req.Dimensions
	}
	body, err := json.Marshal(mockllm.Embeddings(inputs, m.ID, dims, req.EncodingFormat == "base64"))
	if err != nil {
		return nil, fmt.Errorf("encoding the mock embeddings: %w", err)
	}
	return answer("application/json", body), nil
}

func answer(contentType string, body []byte) *http.Response {
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {contentType}, "Content-Length": {strconv.Itoa(len(body))}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// Error is never called: the mock does not refuse.
func (a *Adapter) Error(status int, _ http.Header, body []byte) error {
	return openai.Refusal(a.p, status, body)
}

// Close has nothing to release.
func (a *Adapter) Close() {}

// sleep waits d or until ctx ends; it reports whether it waited the whole d.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Interface guard.
var _ providers.Adapter = (*Adapter)(nil)
