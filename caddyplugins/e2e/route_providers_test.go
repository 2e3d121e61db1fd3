package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// TestRouteTranslatedChat drives Anthropic and Gemini deployments through the
// chain with the official SDK, plain and streamed, and checks the answer, the
// usage, the routing headers and what the provider received.
func TestRouteTranslatedChat(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	tests := []struct {
		model, provider, deployment, wantPath, wantAuthHeader, wantRequestID string
	}{
		{"claude", "claude", "claude-ok", "/v1/messages", "X-Api-Key", "req_msg_fake"},
		{"gemini-ok", "gem", "gemini-ok", "/v1/models/gemini-2.5-flash:", "X-Goog-Api-Key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/plain", func(t *testing.T) {
			resp, h, err := chatWithHeaders(t, c, chatParams(tt.model, "What is an overdraft?"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(resp.Choices[0].Message.Content, "Echo: What is an overdraft?") || resp.Choices[0].FinishReason != "stop" {
				t.Errorf("answer = %+v", resp.Choices[0])
			}
			if resp.Usage.PromptTokens == 0 || resp.Usage.CompletionTokens == 0 {
				t.Errorf("usage = %+v", resp.Usage)
			}
			if h.Get("X-Aigw-Provider") != tt.provider || h.Get("X-Aigw-Model") != tt.deployment || h.Get("X-Aigw-Attempts") != "1" {
				t.Errorf("headers %v", h)
			}
			if !strings.HasPrefix(h.Get("X-Request-Id"), tt.wantRequestID) {
				t.Errorf("X-Request-Id = %q, want the provider's", h.Get("X-Request-Id"))
			}
			last := g.Fake.Last()
			if !strings.HasPrefix(last.Path, tt.wantPath) || last.Header.Get(tt.wantAuthHeader) != upstreamKey || last.Header.Get("Authorization") != "" {
				t.Errorf("provider saw %s with headers %v", last.Path, last.Header)
			}
		})
		t.Run(tt.model+"/stream", func(t *testing.T) {
			p := withUsage(chatParams(tt.model, "Stream about savings"))
			p.MaxTokens = openai.Int(5)
			acc, chunks, h, err := streamChat(t, c, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := acc.Choices[0].Message.Content; got != "Echo: Stream about savings This" {
				t.Errorf("content = %q", got)
			}
			if acc.Choices[0].FinishReason != "length" || acc.Usage.CompletionTokens != 5 || acc.Usage.PromptTokens == 0 {
				t.Errorf("finish %q usage %+v", acc.Choices[0].FinishReason, acc.Usage)
			}
			// Role, finish and usage chunks at least (text that arrives all at
			// once may ride in the finish chunk, the guardrail having held
			// it); how text flows is TestRouteStreamsFlushAsEventsArrive's.
			if len(chunks) < 3 || h.Get("Content-Type") != "text/event-stream" {
				t.Errorf("%d chunks, headers %v", len(chunks), h)
			}
			if tt.provider == "gem" && !strings.Contains(g.Fake.Last().Path, ":streamGenerateContent") {
				t.Errorf("gemini stream path %q", g.Fake.Last().Path)
			}
		})
	}
}

func toolParams(model string) openai.ChatCompletionNewParams {
	p := chatParams(model, "Balance of account 12?")
	p.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:        "get_balance",
		Description: openai.String("Balance of an account"),
		Parameters:  shared.FunctionParameters{"type": "object", "properties": map[string]any{"account": map[string]any{"type": "string"}}},
	})}
	return p
}

// TestRouteToolCalls checks tool calls come back as OpenAI tool_calls from
// both translated providers, streamed and not, and that a tool result is
// answered with text.
func TestRouteToolCalls(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	for _, model := range []string{"claude-ok", "gemini-ok"} {
		t.Run(model, func(t *testing.T) {
			resp, _, err := chatWithHeaders(t, c, toolParams(model))
			if err != nil {
				t.Fatal(err)
			}
			ch := resp.Choices[0]
			if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) != 1 || ch.Message.ToolCalls[0].Function.Name != "get_balance" {
				t.Fatalf("choice = %+v", ch)
			}
			var args map[string]string
			if err := json.Unmarshal([]byte(ch.Message.ToolCalls[0].Function.Arguments), &args); err != nil || args["echo"] != "Balance of account 12?" {
				t.Errorf("arguments %q: %v", ch.Message.ToolCalls[0].Function.Arguments, err)
			}
			acc, _, _, err := streamChat(t, c, toolParams(model))
			if err != nil {
				t.Fatal(err)
			}
			if calls := acc.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].Function.Arguments != ch.Message.ToolCalls[0].Function.Arguments || calls[0].ID == "" {
				t.Errorf("streamed calls = %+v", calls)
			}
			follow := toolParams(model)
			follow.Messages = append(follow.Messages, ch.Message.ToParam(), openai.ToolMessage(`{"balance":"100.00"}`, ch.Message.ToolCalls[0].ID))
			answer, _, err := chatWithHeaders(t, c, follow)
			if err != nil || answer.Choices[0].FinishReason != "stop" || answer.Choices[0].Message.Content == "" {
				t.Errorf("after the tool result: %+v, %v", answer, err)
			}
		})
	}
}

// TestRouteJSONSchemaImagesAndThinking checks JSON schema answers, image
// parts and that reasoning stays out of the content.
func TestRouteJSONSchemaImagesAndThinking(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	for _, model := range []string{"claude-ok", "gemini-ok"} {
		t.Run(model+"/json schema", func(t *testing.T) {
			p := chatParams(model, "Classify: card lost")
			p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "intent", Schema: map[string]any{"type": "object"}},
			}}
			for _, stream := range []bool{false, true} {
				var content string
				if stream {
					acc, _, _, err := streamChat(t, c, p)
					if err != nil {
						t.Fatal(err)
					}
					content = acc.Choices[0].Message.Content
				} else {
					resp, _, err := chatWithHeaders(t, c, p)
					if err != nil {
						t.Fatal(err)
					}
					content = resp.Choices[0].Message.Content
				}
				var v map[string]string
				if err := json.Unmarshal([]byte(content), &v); err != nil || v["echo"] != "Classify: card lost" {
					t.Errorf("stream=%v: content %q is not the JSON answer: %v", stream, content, err)
				}
			}
		})
		t.Run(model+"/image", func(t *testing.T) {
			p := openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{
				openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
					openai.TextContentPart("What is on this cheque?"),
					openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,iVBORw0KGgo="}),
				}),
			}}
			if _, _, err := chatWithHeaders(t, c, p); err != nil {
				t.Fatal(err)
			}
			body := string(g.Fake.Last().Body)
			if !strings.Contains(body, "iVBORw0KGgo=") || !strings.Contains(body, "image/png") {
				t.Errorf("the provider did not get the image: %s", body)
			}
		})
	}
	for _, model := range []string{"claude-thinking", "gemini-thinking"} {
		t.Run(model, func(t *testing.T) {
			resp, _, err := chatWithHeaders(t, c, chatParams(model, "Think first"))
			if err != nil {
				t.Fatal(err)
			}
			acc, _, _, err := streamChat(t, c, chatParams(model, "Think first"))
			if err != nil {
				t.Fatal(err)
			}
			for _, content := range []string{resp.Choices[0].Message.Content, acc.Choices[0].Message.Content} {
				if strings.Contains(content, "Let me think") || !strings.HasPrefix(content, "Echo: Think first") {
					t.Errorf("content = %q: reasoning must stay out of it", content)
				}
			}
		})
	}
}

// TestRouteAzureAndLocal checks Azure OpenAI's deployment URL, api-version
// and api-key header, and an OpenAI-compatible local server without a key.
func TestRouteAzureAndLocal(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	if _, h, err := chatWithHeaders(t, c, chatParams("azure-ok", "Hi Azure")); err != nil || h.Get("X-Aigw-Provider") != "azure" {
		t.Fatalf("azure: %v %v (azure fake saw %s, %d requests)", err, h, g.Azure.Last().Path, g.Azure.Requests())
	}
	last := g.Azure.Last()
	if last.Path != "/openai/deployments/bank-gpt4o-deployment/chat/completions" || last.Header.Get("Api-Key") != upstreamKey || last.Header.Get("Authorization") != "" {
		t.Errorf("azure saw %s %v", last.Path, last.Header)
	}
	if _, _, err := chatWithHeaders(t, c, chatParams("local-ok", "Hi local")); err != nil {
		t.Fatal(err)
	}
	var sent struct{ Model string }
	json.Unmarshal(g.Fake.Last().Body, &sent) //nolint:errcheck
	if sent.Model != "qwen2.5:7b" || g.Fake.Last().Header.Get("Authorization") != "Bearer "+upstreamKey {
		t.Errorf("local server saw model %q, auth %q", sent.Model, g.Fake.Last().Header.Get("Authorization"))
	}
}

// TestRouteOpenAIStreamUsageHidden checks that the gateway asks an OpenAI
// provider for usage in every stream but shows the usage chunk only to
// clients that asked for it.
func TestRouteOpenAIStreamUsageHidden(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	_, chunks, _, err := streamChat(t, c, chatParams("oai-ok", "No usage please"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chunks {
		if len(ch.Choices) == 0 || ch.Usage.TotalTokens != 0 {
			t.Errorf("the client saw a usage chunk it did not ask for: %s", ch.RawJSON())
		}
	}
	if !strings.Contains(string(g.Fake.Last().Body), `"include_usage":true`) {
		t.Errorf("the provider was not asked for usage: %s", g.Fake.Last().Body)
	}
	acc, _, _, err := streamChat(t, c, withUsage(chatParams("oai-ok", "Usage please")))
	if err != nil || acc.Usage.TotalTokens == 0 {
		t.Errorf("usage %+v, %v", acc.Usage, err)
	}
}

// TestRouteGeminiEmbeddings embeds one and several inputs through Gemini.
func TestRouteGeminiEmbeddings(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	for _, in := range []openai.EmbeddingNewParamsInputUnion{
		{OfString: openai.String("account balance")},
		{OfArrayOfStrings: []string{"loan", "mortgage rate"}},
	} {
		resp, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{Model: "gemini-embed", Input: in})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Data) == 0 || len(resp.Data[0].Embedding) != 8 || resp.Usage.PromptTokens == 0 {
			t.Errorf("embeddings = %+v", resp)
		}
	}
	if !strings.HasSuffix(g.Fake.Last().Path, ":batchEmbedContents") {
		t.Errorf("several inputs went to %s", g.Fake.Last().Path)
	}
}

// TestRouteUnsupportedParameter checks the 400 naming a parameter Anthropic
// cannot honour, and a model set to drop it.
func TestRouteUnsupportedParameter(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	p := chatParams("claude-ok", "hi")
	p.Seed = openai.Int(7)
	_, _, err := chatWithHeaders(t, c, p)
	if e := apiError(t, err); e.StatusCode != 400 || e.Param != "seed" || !strings.Contains(e.Message, "seed") {
		t.Errorf("got %d param %q %q", e.StatusCode, e.Param, e.Message)
	}
	p.Model = "claude-seed-dropped"
	if _, _, err := chatWithHeaders(t, c, p); err != nil {
		t.Errorf("drop_params model: %v", err)
	}
}

// TestRouteErrorsNormalised checks provider errors reach the client as the
// OpenAI statuses and types the SDK expects, the provider's message kept.
func TestRouteErrorsNormalised(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	tests := []struct {
		model      string
		wantStatus int
		wantType   string
		wantCode   string
		wantMsg    string
	}{
		{"claude-overloaded", 503, "service_unavailable_error", "upstream_overloaded", "Overloaded"},
		{"gemini-quota", 429, "rate_limit_error", "upstream_rate_limited", "Resource has been exhausted"},
		{"gemini-context-plain", 400, "invalid_request_error", "context_length_exceeded", "input token count"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			_, _, err := chatWithHeaders(t, c, chatParams(tt.model, "hi"))
			e := apiError(t, err)
			if e.StatusCode != tt.wantStatus || e.Type != tt.wantType || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("got %d %s %s %q", e.StatusCode, e.Type, e.Code, e.Message)
			}
			if strings.Contains(e.RawJSON(), upstreamKey) {
				t.Error("the provider key leaked")
			}
			if tt.wantStatus == 429 && e.Response.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		})
	}
}

// TestRouteStreamsFlushAsEventsArrive checks that filtered (usage hidden) and
// translated streams pass text on as the provider sends it, not at the end:
// with 100ms between provider events, text arrives in several chunks spread
// over the stream.
func TestRouteStreamsFlushAsEventsArrive(t *testing.T) {
	g := startRouteGateway(t)
	c := g.client()
	for _, model := range []string{"oai-slowstream", "claude-slowstream", "gemini-slowstream"} {
		t.Run(model, func(t *testing.T) {
			p := chatParams(model, "slowly")
			p.MaxTokens = openai.Int(6)
			start := time.Now()
			stream := c.Chat.Completions.NewStreaming(context.Background(), p)
			var texts []time.Duration
			for stream.Next() {
				if ch := stream.Current(); len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
					texts = append(texts, time.Since(start))
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			assertTextFlowed(t, texts, 3, 200*time.Millisecond)
		})
	}
}
