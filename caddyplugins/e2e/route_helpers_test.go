package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/aigw/aigw/internal/fakeprovider"
)

// routeGateway is the shipped Caddyfile with the routing tests' configs
// (testdata/route/), the harness's fake provider speaking OpenAI, Anthropic
// and Gemini, and a second fake serving Azure OpenAI at its root.
type routeGateway struct {
	*gateway
	Azure *fakeprovider.Server
}

func startRouteGateway(t testing.TB) *routeGateway {
	t.Helper()
	azure := fakeprovider.New(upstreamKey)
	azureSrv := httptest.NewServer(azure)
	t.Cleanup(azureSrv.Close)
	dir, _ := filepath.Abs("testdata/route")
	g := startGateway(t, faultConfigs,
		"AIGW_MODELS="+filepath.Join(dir, "models.yaml"),
		"AIGW_PROVIDERS="+filepath.Join(dir, "providers.yaml"),
		"AIGW_ROUTING_RULES="+filepath.Join(dir, "routing_rules.yaml"),
		"AZURE_FAKE_URL="+azureSrv.URL,
		// The guardrail holds back up to its stream window of text; a small
		// one lets the short test answers flow, so that streams measure
		// the router.
		"AIGW_GUARDRAIL_STREAM_WINDOW=16")
	return &routeGateway{gateway: g, Azure: azure}
}

// chatWithHeaders makes a non-streamed call and returns the answer and the
// response headers.
func chatWithHeaders(t *testing.T, c openai.Client, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, http.Header, error) {
	t.Helper()
	var resp *http.Response
	out, err := c.Chat.Completions.New(context.Background(), params, option.WithResponseInto(&resp))
	if resp == nil {
		return out, nil, err
	}
	return out, resp.Header, err
}

// streamChat makes a streamed call and returns the accumulated answer, the
// chunks seen, the response headers and the stream's error.
func streamChat(t *testing.T, c openai.Client, params openai.ChatCompletionNewParams) (openai.ChatCompletionAccumulator, []openai.ChatCompletionChunk, http.Header, error) {
	t.Helper()
	var resp *http.Response
	stream := c.Chat.Completions.NewStreaming(context.Background(), params, option.WithResponseInto(&resp))
	var acc openai.ChatCompletionAccumulator
	var chunks []openai.ChatCompletionChunk
	for stream.Next() {
		ch := stream.Current()
		acc.AddChunk(ch)
		chunks = append(chunks, ch)
	}
	var h http.Header
	if resp != nil {
		h = resp.Header
	}
	return acc, chunks, h, stream.Err()
}

// apiError returns err as an SDK error, or fails the test.
func apiError(t *testing.T, err error) *openai.Error {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *openai.Error", err)
	}
	return e
}

func withUsage(p openai.ChatCompletionNewParams) openai.ChatCompletionNewParams {
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	return p
}
