package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// TestMalformedRequestsRefusedBeforeTheProvider sends what #16 found
// forwarded with 200, and more, through the shipped chain: each is a 400
// invalid_request_error naming its parameter, and the provider is never
// called. What the SDK can send goes through the SDK; what it cannot
// (wrong JSON types, bad encodings) goes as raw HTTP.
func TestMalformedRequestsRefusedBeforeTheProvider(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	c := g.client()
	sdk := []struct {
		name   string
		params func(p *openai.ChatCompletionNewParams)
		param  string
	}{
		{"temperature above 2", func(p *openai.ChatCompletionNewParams) { p.Temperature = openai.Float(3) }, "temperature"},
		{"top_p above 1", func(p *openai.ChatCompletionNewParams) { p.TopP = openai.Float(1.5) }, "top_p"},
		{"presence_penalty below -2", func(p *openai.ChatCompletionNewParams) { p.PresencePenalty = openai.Float(-3) }, "presence_penalty"},
		{"top_logprobs above 20", func(p *openai.ChatCompletionNewParams) { p.TopLogprobs = openai.Int(21) }, "top_logprobs"},
		{"n above 128", func(p *openai.ChatCompletionNewParams) { p.N = openai.Int(129) }, "n"},
		{"logit_bias above 100", func(p *openai.ChatCompletionNewParams) { p.LogitBias = map[string]int64{"50256": 101} }, "logit_bias.50256"},
		{"image detail", func(p *openai.ChatCompletionNewParams) {
			p.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
				openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "https://example.com/a.png", Detail: "ultra"}),
			})}
		}, "messages[0].content[0].image_url.detail"},
	}
	for _, tt := range sdk {
		t.Run(tt.name, func(t *testing.T) {
			p := chatParams("gpt-4o", "hi")
			tt.params(&p)
			_, err := c.Chat.Completions.New(context.Background(), p)
			checkRefused(t, err, tt.param)
		})
	}
	base := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]`
	raw := []struct{ name, body, param string }{
		{"temperature hot", base + `,"temperature":"hot"}`, "temperature"},
		{"tools a string", base + `,"tools":"x"}`, "tools"},
		{"stream a string", base + `,"stream":"yes"}`, "stream"},
		{"unknown content part", `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"video","video":{"url":"u"}}]}]}`, "messages[0].content[0].type"},
		{"invalid UTF-8", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\xe9\"}]}", "messages[0].content"},
		{"lone surrogate", `{"model":"gpt-4o","messages":[{"role":"user","content":"x\ud800y"}]}`, "messages[0].content"},
		{"embeddings dimensions", `{"model":"text-embedding-3-small","input":"x","dimensions":"many"}`, "dimensions"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v1/chat/completions"
			if strings.Contains(tt.body, "input") {
				path = "/v1/embeddings"
			}
			resp, body := g.rawCall(t, path, tt.body, map[string]string{"Authorization": "Bearer " + g.Key, "Content-Type": "application/json"})
			var e struct {
				Error struct{ Type, Param, Message string }
			}
			if resp.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Type != "invalid_request_error" || e.Error.Param != tt.param {
				t.Errorf("%d %s; want 400 invalid_request_error naming %s", resp.StatusCode, body, tt.param)
			}
		})
	}
	if n := g.Fake.Requests(); n != 0 {
		t.Errorf("the provider was called %d times for requests the gateway refuses", n)
	}
	// A valid request with every kind of content part still goes through.
	p := chatParams("gpt-4o", "hi")
	p.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
		openai.TextContentPart("What is on this cheque?"),
		openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,iVBORw0KGgo=", Detail: "low"}),
	})}
	p.Temperature, p.TopP, p.Seed = openai.Float(0.2), openai.Float(1), openai.Int(7)
	if _, err := c.Chat.Completions.New(context.Background(), p, option.WithMaxRetries(0)); err != nil {
		t.Errorf("a valid request: %v", err)
	}
}

func checkRefused(t *testing.T, err error, param string) {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type != "invalid_request_error" || apiErr.Param != param {
		t.Errorf("%v (%s); want 400 invalid_request_error naming %s", err, apiErrBody(err), param)
	}
}
