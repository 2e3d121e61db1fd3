package oai

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ChatParams is a chat completion request decoded in full, as the adapters
// that translate it for another provider need it. ChatRequest is the part of
// the same request that the rest of the gateway reads, decoded faster.
type ChatParams struct {
	Model               string          `json:"model"`
	Messages            []Message       `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *StreamOptions  `json:"stream_options,omitempty"`
	MaxTokens           *int            `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	TopP                *float64        `json:"top_p,omitempty"`
	Stop                json.RawMessage `json:"stop,omitempty"`
	Seed                *int64          `json:"seed,omitempty"`
	User                string          `json:"user,omitempty"`
	N                   *int            `json:"n,omitempty"`
	Tools               []Tool          `json:"tools,omitempty"`
	ToolChoice          json.RawMessage `json:"tool_choice,omitempty"`
	ResponseFormat      *ResponseFormat `json:"response_format,omitempty"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls,omitempty"`
	PresencePenalty     *float64        `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64        `json:"frequency_penalty,omitempty"`
	Logprobs            *bool           `json:"logprobs,omitempty"`
	TopLogprobs         *int            `json:"top_logprobs,omitempty"`
	LogitBias           json.RawMessage `json:"logit_bias,omitempty"`
	ReasoningEffort     string          `json:"reasoning_effort,omitempty"`
	Modalities          []string        `json:"modalities,omitempty"`
	Audio               json.RawMessage `json:"audio,omitempty"`
	Prediction          json.RawMessage `json:"prediction,omitempty"`
	ServiceTier         string          `json:"service_tier,omitempty"`
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

// ParseParams decodes a chat request body in full.
func ParseParams(body []byte) (*ChatParams, error) {
	var r ChatParams
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decoding chat request: %w", err)
	}
	return &r, nil
}

// OutputLimit returns max_completion_tokens, else max_tokens, else 0.
func (r *ChatParams) OutputLimit() int { return outputLimit(r.MaxCompletionTokens, r.MaxTokens) }

// IncludeUsage reports whether the client asked for usage in its stream.
func (r *ChatParams) IncludeUsage() bool {
	return r.StreamOptions != nil && r.StreamOptions.IncludeUsage
}

// StopSequences decodes "stop", a string or an array of strings.
func (r *ChatParams) StopSequences() ([]string, error) {
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

// ToolChoice is "tool_choice" decoded: Mode is none, auto or required, and
// Function names the one function the model must call, if any.
type ToolChoice struct {
	Mode     string
	Function string
}

// ParseToolChoice decodes r.ToolChoice ("auto" when unset).
func (r *ChatParams) ParseToolChoice() (ToolChoice, error) {
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
		return ToolChoice{}, errors.New(`tool_choice must be none, auto, required or {"type":"function","function":{"name":...}}`)
	}
	return ToolChoice{Mode: "function", Function: named.Function.Name}, nil
}

// Parts returns the content of m as parts: a string becomes one text part.
func (m *Message) Parts() ([]ContentPart, error) {
	c := m.Content
	if len(c) == 0 || string(c) == "null" {
		return nil, nil
	}
	if c[0] == '"' {
		var s string
		if err := json.Unmarshal(c, &s); err != nil {
			return nil, err
		}
		return []ContentPart{{Type: "text", Text: s}}, nil
	}
	var parts []ContentPart
	if err := json.Unmarshal(c, &parts); err != nil {
		return nil, errors.New("content must be a string or an array of content parts")
	}
	return parts, nil
}

// Calls decodes the tool calls of an assistant message.
func (m *Message) Calls() ([]ToolCall, error) {
	if len(m.ToolCalls) == 0 || string(m.ToolCalls) == "null" {
		return nil, nil
	}
	var calls []ToolCall
	if err := json.Unmarshal(m.ToolCalls, &calls); err != nil {
		return nil, errors.New("tool_calls must be an array of tool calls")
	}
	return calls, nil
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
