package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func chatParams(model, prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    openai.ChatModel(model),
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

func TestShippedChainChatThroughOpenAIProvider(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	c := g.client()
	var hdr *http.Response
	resp, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4o", "What is a savings account?"),
		option.WithResponseInto(&hdr))
	if err != nil {
		t.Fatalf("chat: %v", err)
	}
	if !strings.HasPrefix(resp.Choices[0].Message.Content, "Echo: What is a savings account?") {
		t.Errorf("content = %q", resp.Choices[0].Message.Content)
	}
	if resp.Usage.PromptTokens == 0 || resp.Usage.CompletionTokens == 0 {
		t.Errorf("usage = %+v", resp.Usage)
	}
	if got := hdr.Header.Get("X-Aigw-Provider"); got != "openai" {
		t.Errorf("X-Aigw-Provider = %q", got)
	}
	last := g.Fake.Last()
	if got := last.Header.Get("Authorization"); got != "Bearer "+upstreamKey {
		t.Errorf("upstream Authorization = %q, want the provider key from OPENAI_API_KEY", got)
	}
	if strings.Contains(string(last.Body), g.Key) || strings.Contains(last.Header.Get("Authorization"), g.Key) {
		t.Error("the client's gateway key reached the provider")
	}
}

func TestShippedChainMockProviderWithoutKeys(t *testing.T) {
	g := startGateway(t, shippedConfigs, "OPENAI_API_KEY=", "ANTHROPIC_API_KEY=", "GEMINI_API_KEY=")
	c := g.client()
	_, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4o", "Hello"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || !strings.Contains(apiErr.Message, "OPENAI_API_KEY") {
		t.Errorf("gpt-4o without a key: err = %v, want 503 naming OPENAI_API_KEY", err)
	}
	resp, err := c.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "Hello"))
	if err != nil {
		t.Fatalf("chat via mock: %v", err)
	}
	if resp.Model != "mock-gpt" || !strings.HasPrefix(resp.Choices[0].Message.Content, "Echo: Hello") {
		t.Errorf("mock answer = %+v", resp)
	}
	if g.Fake.Requests() != 0 {
		t.Errorf("mock provider called the upstream %d times", g.Fake.Requests())
	}
}

func TestAPIAliasPaths(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	c := g.client(option.WithBaseURL(g.URL + "/api/v1/"))
	if _, err := c.Chat.Completions.New(context.Background(), chatParams("mock-gpt", "Hi")); err != nil {
		t.Fatalf("chat under /api/v1: %v", err)
	}
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatalf("models under /api/v1: %v", err)
	}
	if len(page.Data) == 0 {
		t.Fatal("no models under /api/v1")
	}
}

func TestModelsListsServableModels(t *testing.T) {
	g := startGateway(t, shippedConfigs, "ANTHROPIC_API_KEY=")
	c := g.client()
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	for _, m := range page.Data {
		owners[m.ID] = m.OwnedBy
	}
	if owners["mock-gpt"] != "mock" || owners["gpt-4o"] != "openai" {
		t.Errorf("models = %v; want mock-gpt owned by mock and gpt-4o by openai", owners)
	}
	if _, listed := owners["claude-sonnet-4-5"]; listed {
		t.Error("claude-sonnet-4-5 listed although ANTHROPIC_API_KEY is unset")
	}
	m, err := c.Models.Get(context.Background(), "mock-embedding")
	if err != nil || m.OwnedBy != "mock" {
		t.Errorf("retrieve mock-embedding = %+v, %v", m, err)
	}
}

func TestEmbeddings(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	c := g.client()
	resp, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "text-embedding-3-small",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"account balance", "loan rate"}},
	})
	if err != nil {
		t.Fatalf("embeddings: %v", err)
	}
	if len(resp.Data) != 2 || len(resp.Data[0].Embedding) != 8 || resp.Usage.PromptTokens == 0 {
		t.Errorf("embeddings = %d vectors of %d, usage %+v", len(resp.Data), len(resp.Data[0].Embedding), resp.Usage)
	}
	mock, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "mock-embedding", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")},
	})
	if err != nil || len(mock.Data[0].Embedding) != 256 {
		t.Fatalf("mock embeddings: %v", err)
	}
}

// TestStreamingChunksArriveAsSent checks that the gateway passes text on as
// the provider sends it: with 150ms between upstream chunks, text must reach
// the client in several chunks spread over the stream, not at its end.
func TestStreamingChunksArriveAsSent(t *testing.T) {
	// The guardrail holds back up to its stream window of text (and leaves
	// out the chunks whose text it holds): a small window lets this short
	// answer's text flow, so that what is measured is the relay.
	g := startGateway(t, faultConfigs, "AIGW_GUARDRAIL_STREAM_WINDOW=16")
	c := g.client()
	params := chatParams("fake-slowstream", "stream please")
	params.MaxTokens = openai.Int(6)
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	start := time.Now()
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var texts []time.Duration // when each chunk carrying text arrived
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		chunk := stream.Current()
		acc.AddChunk(chunk)
		if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
			texts = append(texts, time.Since(start))
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	assertTextFlowed(t, texts, 3, 300*time.Millisecond)
	if got := acc.Choices[0].Message.Content; !strings.HasPrefix(got, "Echo: stream please") {
		t.Errorf("accumulated content = %q", got)
	}
	if acc.Usage.CompletionTokens != 6 {
		t.Errorf("stream usage = %+v, want 6 completion tokens", acc.Usage)
	}
}

// assertTextFlowed checks that at least n chunks carried text and that the
// first and last of them arrived at least spread apart: a relay that buffers
// sends its text at once.
func assertTextFlowed(t *testing.T, texts []time.Duration, n int, spread time.Duration) {
	t.Helper()
	if len(texts) < n {
		t.Fatalf("%d chunks carried text, want at least %d", len(texts), n)
	}
	if first, last := texts[0], texts[len(texts)-1]; last-first < spread {
		t.Errorf("text arrived from %v to %v: the stream was buffered", first, last)
	}
}

func TestMockStreaming(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	params := chatParams("mock-gpt", "Hi")
	params.MaxTokens = openai.Int(4)
	c := g.client()
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var content strings.Builder
	var finish string
	for stream.Next() {
		ch := stream.Current()
		if len(ch.Choices) > 0 {
			content.WriteString(ch.Choices[0].Delta.Content)
			if ch.Choices[0].FinishReason != "" {
				finish = ch.Choices[0].FinishReason
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if content.String() != "Echo: Hi This is" || finish != "length" {
		t.Errorf("content %q finish %q", content.String(), finish)
	}
}

func TestErrorsSurfaceAsTypedSDKErrors(t *testing.T) {
	g := startGateway(t, faultConfigs)
	tests := []struct {
		name       string
		call       func(c openai.Client) error
		wantStatus int
		wantCode   string
	}{
		{"unknown model", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("no-such-model", "hi"))
			return err
		}, 404, "model_not_found"},
		{"upstream unreachable", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("gone", "hi"))
			return err
		}, 502, "upstream_unreachable"},
		{"upstream timeout", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("fake-timeout", "hi"))
			return err
		}, 504, "upstream_timeout"},
		{"upstream 500", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("fake-500", "hi"))
			return err
		}, 502, "upstream_error"},
		{"upstream 400 keeps the provider's message", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("fake-400", "hi"))
			return err
		}, 400, "fake_fault"},
		{"embedding model for chat", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("fake-embed", "hi"))
			return err
		}, 400, "unsupported_model"},
		{"empty messages", func(c openai.Client) error {
			_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "fake-chat"})
			return err
		}, 400, "missing_required_parameter"},
		{"bad key", func(openai.Client) error {
			c := g.client(option.WithAPIKey("sk-aigw-00000000000000000000000000000000000000000000"))
			_, err := c.Models.List(context.Background())
			return err
		}, 401, "invalid_api_key"},
		{"no key", func(openai.Client) error {
			c := g.client(option.WithAPIKey(""))
			_, err := c.Models.List(context.Background())
			return err
		}, 401, "invalid_api_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(g.client())
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *openai.Error", err)
			}
			if apiErr.StatusCode != tt.wantStatus || apiErr.Code != tt.wantCode {
				t.Errorf("status %d code %q, want %d %q (message %q)", apiErr.StatusCode, apiErr.Code, tt.wantStatus, tt.wantCode, apiErr.Message)
			}
			if strings.Contains(apiErr.Message, upstreamKey) || strings.Contains(apiErr.RawJSON(), g.Key) {
				t.Error("error leaks a key")
			}
		})
	}
}

func TestRawHTTPErrors(t *testing.T) {
	g := startGateway(t, faultConfigs)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"malformed JSON", "POST", "/v1/chat/completions", `{"model":`, 400, "invalid_json"},
		{"wrong type", "POST", "/v1/chat/completions", `{"model":5,"messages":[]}`, 400, "invalid_type"},
		{"empty body", "POST", "/v1/chat/completions", ``, 400, "invalid_json"},
		{"body over the limit", "POST", "/v1/chat/completions", `{"model":"fake-chat","messages":[{"role":"user","content":"` + strings.Repeat("a", 9<<20) + `"}]}`, 413, "request_too_large"},
		{"bad role", "POST", "/v1/chat/completions", `{"model":"fake-chat","messages":[{"role":"wizard","content":"hi"}]}`, 400, "invalid_value"},
		{"GET on chat", "GET", "/v1/chat/completions", ``, 405, "method_not_allowed"},
		{"unknown endpoint", "POST", "/v1/completions", `{}`, 404, "unknown_url"},
		{"bad embedding input", "POST", "/v1/embeddings", `{"model":"fake-embed","input":{"a":1}}`, 400, "invalid_value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, g.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+g.Key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var body struct {
				Error struct {
					Message, Type string
					Code          *string
				}
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("body %q is not an OpenAI error: %v", raw, err)
			}
			if resp.StatusCode != tt.wantStatus || body.Error.Code == nil || *body.Error.Code != tt.wantCode {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, raw, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	g := startGateway(t, faultConfigs)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	c := g.client()
	_, err := c.Chat.Completions.New(ctx, chatParams("fake-hang", "hi"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for g.Fake.Cancelled() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the upstream call was not cancelled when the client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAliasResolvesAndRenamesForUpstream(t *testing.T) {
	g := startGateway(t, faultConfigs)
	c := g.client()
	if _, err := c.Chat.Completions.New(context.Background(), chatParams("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	var sent struct{ Model string }
	json.Unmarshal(g.Fake.Last().Body, &sent) //nolint:errcheck
	if sent.Model != "upstream-chat" {
		t.Errorf("upstream saw model %q, want the catalog's upstream name", sent.Model)
	}
}
