// Package providers holds what the gateway's provider adapters share: the
// OpenAI chat request decoded in full for translation, the OpenAI answer types
// with tool calls, a cheap chunk encoder for translated streams, an SSE event
// reader and helpers that normalise provider errors. The adapters themselves
// live in the sub-packages (anthropic, gemini); none of them imports Caddy.
package providers

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aigw/aigw/internal/oai"
)

// Request is an OpenAI chat completion request decoded in full, as the
// translating adapters need it.
type Request struct {
	Model               string             `json:"model"`
	Messages            []Message          `json:"messages"`
	Stream              bool               `json:"stream"`
	StreamOptions       *oai.StreamOptions `json:"stream_options,omitempty"`
	MaxTokens           *int               `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int               `json:"max_completion_tokens,omitempty"`
	Temperature         *float64           `json:"temperature,omitempty"`
	TopP                *float64           `json:"top_p,omitempty"`
	Stop                json.RawMessage    `json:"stop,omitempty"`
	Seed                *int64             `json:"seed,omitempty"`
	User                string             `json:"user,omitempty"`
	N                   *int               `json:"n,omitempty"`
	Tools               []Tool             `json:"tools,omitempty"`
	ToolChoice          json.RawMessage    `json:"tool_choice,omitempty"`
	ResponseFormat      *ResponseFormat    `json:"response_format,omitempty"`
	ParallelToolCalls   *bool              `json:"parallel_tool_calls,omitempty"`
	PresencePenalty     *float64           `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64           `json:"frequency_penalty,omitempty"`
	Logprobs            *bool              `json:"logprobs,omitempty"`
	TopLogprobs         *int               `json:"top_logprobs,omitempty"`
	LogitBias           json.RawMessage    `json:"logit_bias,omitempty"`
	ReasoningEffort     string             `json:"reasoning_effort,omitempty"`
	Modalities          []string           `json:"modalities,omitempty"`
	Audio               json.RawMessage    `json:"audio,omitempty"`
	Prediction          json.RawMessage    `json:"prediction,omitempty"`
	ServiceTier         string             `json:"service_tier,omitempty"`
}

// Message is one chat message. Content is a string, an array of parts or null.
type Message struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content,omitempty"`
	Name       string          `json:"name,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
	ToolCalls  []ToolCall      `json:"tool_calls,omitempty"`
}

// Part is one element of an array content.
type Part struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	ImageURL *ImageURL `json:"image_url,omitempty"`
}

// ImageURL is an image_url part: an https URL or a data: URL.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// Tool is one entry of "tools".
type Tool struct {
	Type     string       `json:"type"`
	Function FunctionDecl `json:"function"`
}

// FunctionDecl declares a function the model may call.
type FunctionDecl struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ToolCall is a call of a function by the model, in a message or (with Index)
// in a streamed delta.
type ToolCall struct {
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names the function and carries its JSON arguments as a string.
type FunctionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// ResponseFormat is "response_format": text, json_object or json_schema.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema is the json_schema of a response_format.
type JSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ParseRequest decodes an OpenAI chat request body.
func ParseRequest(body []byte) (*Request, error) {
	var r Request
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decoding chat request: %w", err)
	}
	return &r, nil
}

// OutputLimit returns max_completion_tokens, else max_tokens, else 0.
func (r *Request) OutputLimit() int {
	if r.MaxCompletionTokens != nil {
		return *r.MaxCompletionTokens
	}
	if r.MaxTokens != nil {
		return *r.MaxTokens
	}
	return 0
}

// IncludeUsage reports whether the client asked for usage in its stream.
func (r *Request) IncludeUsage() bool {
	return r.StreamOptions != nil && r.StreamOptions.IncludeUsage
}

// StopSequences decodes "stop", a string or an array of strings.
func (r *Request) StopSequences() ([]string, error) {
	if len(r.Stop) == 0 || string(r.Stop) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(r.Stop, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(r.Stop, &many); err != nil {
		return nil, errors.New("stop must be a string or an array of strings")
	}
	return many, nil
}

// Parts returns the content of m as parts: a string becomes one text part.
func (m *Message) Parts() ([]Part, error) {
	c := m.Content
	if len(c) == 0 || string(c) == "null" {
		return nil, nil
	}
	if c[0] == '"' {
		var s string
		if err := json.Unmarshal(c, &s); err != nil {
			return nil, err
		}
		return []Part{{Type: "text", Text: s}}, nil
	}
	var parts []Part
	if err := json.Unmarshal(c, &parts); err != nil {
		return nil, errors.New("content must be a string or an array of content parts")
	}
	return parts, nil
}

// Text returns the text parts of m joined by newlines.
func (m *Message) Text() (string, error) { return oai.ContentText(m.Content) }

// ToolChoice is "tool_choice" decoded: Mode is none, auto or required, and
// Function names the one function the model must call, if any.
type ToolChoice struct {
	Mode     string
	Function string
}

// ParseToolChoice decodes r.ToolChoice ("auto" when unset).
func (r *Request) ParseToolChoice() (ToolChoice, error) {
	tc := r.ToolChoice
	if len(tc) == 0 || string(tc) == "null" {
		return ToolChoice{Mode: "auto"}, nil
	}
	var mode string
	if json.Unmarshal(tc, &mode) == nil {
		switch mode {
		case "none", "auto", "required":
			return ToolChoice{Mode: mode}, nil
		}
		return ToolChoice{}, fmt.Errorf("tool_choice %q: want none, auto, required or a function", mode)
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(tc, &named); err != nil || named.Function.Name == "" {
		return ToolChoice{}, errors.New("tool_choice must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":...}}")
	}
	return ToolChoice{Mode: "function", Function: named.Function.Name}, nil
}

// DataURL splits a data: URL into its media type and base64 data.
func DataURL(u string) (mediaType, data string, ok bool) {
	rest, found := strings.CutPrefix(u, "data:")
	if !found {
		return "", "", false
	}
	meta, data, found := strings.Cut(rest, ",")
	if !found {
		return "", "", false
	}
	mediaType, isB64 := strings.CutSuffix(meta, ";base64")
	if !isB64 || mediaType == "" {
		return "", "", false
	}
	return mediaType, data, true
}

// Completion is a non-streamed chat.completion with tool calls.
type Completion struct {
	ID      string     `json:"id"`
	Object  string     `json:"object"`
	Created int64      `json:"created"`
	Model   string     `json:"model"`
	Choices []Choice   `json:"choices"`
	Usage   *oai.Usage `json:"usage,omitempty"`
}

// Choice is one answer of a Completion.
type Choice struct {
	Index        int             `json:"index"`
	Message      ResponseMessage `json:"message"`
	FinishReason string          `json:"finish_reason"`
}

// ResponseMessage is the assistant's message; Content is null when the model
// only called tools.
type ResponseMessage struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	Refusal   *string    `json:"refusal"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}
