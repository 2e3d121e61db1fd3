// Package anthropic translates between OpenAI chat completions and
// Anthropic's Messages API (POST /v1/messages): requests, answers, streamed
// events and errors. JSON mode and JSON schemas are served through a forced
// tool whose input is the answer, the way Anthropic documents for JSON output;
// its input comes back to the client as the message content.
package anthropic

import (
	"encoding/json"
	"fmt"

	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

// Version is the anthropic-version header the adapter speaks.
const Version = "2023-06-01"

// JSONTool is the name of the tool that carries a JSON-mode answer.
const JSONTool = "json_response"

// DefaultMaxTokens is sent when neither the request nor the model sets a
// limit: Anthropic requires max_tokens.
const DefaultMaxTokens = 4096

// Options are per-deployment settings of a translation.
type Options struct {
	// Model is the upstream model name.
	Model string
	// MaxOutputTokens is the model's output limit, the default max_tokens.
	MaxOutputTokens int
	// DropParams drops unsupported parameters instead of refusing them.
	DropParams bool
}

type request struct {
	Model         string          `json:"model"`
	MaxTokens     int             `json:"max_tokens"`
	System        []block         `json:"system,omitempty"`
	Messages      []message       `json:"messages"`
	Tools         []tool          `json:"tools,omitempty"`
	ToolChoice    *toolChoice     `json:"tool_choice,omitempty"`
	Temperature   *float64        `json:"temperature,omitempty"`
	TopP          *float64        `json:"top_p,omitempty"`
	StopSequences []string        `json:"stop_sequences,omitempty"`
	Stream        bool            `json:"stream,omitempty"`
	Metadata      *metadata       `json:"metadata,omitempty"`
	Thinking      json.RawMessage `json:"thinking,omitempty"`
}

type metadata struct {
	UserID string `json:"user_id"`
}

type message struct {
	Role    string  `json:"role"`
	Content []block `json:"content"`
}

type block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Source    *imageSource    `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   string          `json:"content,omitempty"`
}

type imageSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type toolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// BuildRequest translates an OpenAI chat request into a Messages API body.
// It reports whether JSON mode is served through JSONTool, so the answer can
// be translated back. A parameter Anthropic cannot honour is a 400 naming it,
// unless o.DropParams.
func BuildRequest(r *oai.ChatParams, o Options) (body []byte, jsonMode bool, err error) {
	if e := checkUnsupported(r, o.DropParams); e != nil {
		return nil, false, e
	}
	out := request{Model: o.Model, Temperature: r.Temperature, TopP: r.TopP, Stream: r.Stream}
	if out.Temperature != nil && *out.Temperature > 1 {
		t := 1.0 // Anthropic's range is 0..1; OpenAI's 0..2
		out.Temperature = &t
	}
	out.MaxTokens = r.OutputLimit()
	if out.MaxTokens == 0 {
		out.MaxTokens = o.MaxOutputTokens
	}
	if out.MaxTokens == 0 {
		out.MaxTokens = DefaultMaxTokens
	}
	stops, err := r.StopSequences()
	if err != nil {
		return nil, false, providers.Invalid("stop", err.Error())
	}
	out.StopSequences = stops
	if r.User != "" {
		out.Metadata = &metadata{UserID: r.User}
	}
	if e := convertMessages(r, &out); e != nil {
		return nil, false, e
	}
	if e := convertTools(r, &out); e != nil {
		return nil, false, e
	}
	if jsonMode, err = applyResponseFormat(r, &out); err != nil {
		return nil, false, err
	}
	body, err = json.Marshal(&out)
	if err != nil {
		return nil, false, providers.Invalid("messages", "The request could not be translated for Anthropic.")
	}
	return body, jsonMode, nil
}

func checkUnsupported(r *oai.ChatParams, drop bool) error {
	unsupported := []struct {
		param string
		set   bool
	}{
		{"n", r.N != nil && *r.N > 1},
		{"seed", r.Seed != nil},
		{"logprobs", r.Logprobs != nil && *r.Logprobs},
		{"top_logprobs", r.TopLogprobs != nil},
		{"logit_bias", len(r.LogitBias) > 0 && string(r.LogitBias) != "null"},
		{"presence_penalty", r.PresencePenalty != nil && *r.PresencePenalty != 0},
		{"frequency_penalty", r.FrequencyPenalty != nil && *r.FrequencyPenalty != 0},
		{"audio", len(r.Audio) > 0 && string(r.Audio) != "null"},
		{"prediction", len(r.Prediction) > 0 && string(r.Prediction) != "null"},
	}
	for _, u := range unsupported {
		if u.set && !drop {
			return providers.Unsupported(u.param, "Anthropic")
		}
	}
	return nil
}

func convertMessages(r *oai.ChatParams, out *request) error {
	for i := range r.Messages {
		m := &r.Messages[i]
		param := fmt.Sprintf("messages[%d]", i)
		switch m.Role {
		case "system", "developer":
			text, err := m.Text()
			if err != nil {
				return providers.Invalid(param+".content", err.Error())
			}
			out.System = append(out.System, block{Type: "text", Text: text})
		case "user":
			blocks, e := userBlocks(m, param)
			if e != nil {
				return e
			}
			out.appendMessage("user", blocks...)
		case "assistant":
			blocks, e := assistantBlocks(m, param)
			if e != nil {
				return e
			}
			if len(blocks) > 0 {
				out.appendMessage("assistant", blocks...)
			}
		case "tool", "function":
			text, err := m.Text()
			if err != nil {
				return providers.Invalid(param+".content", err.Error())
			}
			if m.ToolCallID == "" {
				return providers.Invalid(param+".tool_call_id", "A tool message needs the tool_call_id of the call it answers.")
			}
			out.appendMessage("user", block{Type: "tool_result", ToolUseID: m.ToolCallID, Content: text})
		}
	}
	if len(out.Messages) == 0 {
		return providers.Invalid("messages", "Anthropic needs at least one user message besides the system prompt.")
	}
	return nil
}

// appendMessage adds blocks as a message of role, merged into the previous
// message when it has the same role: Anthropic wants roles to alternate, and
// OpenAI sends each tool result as its own message.
func (out *request) appendMessage(role string, blocks ...block) {
	if n := len(out.Messages); n > 0 && out.Messages[n-1].Role == role {
		out.Messages[n-1].Content = append(out.Messages[n-1].Content, blocks...)
		return
	}
	out.Messages = append(out.Messages, message{Role: role, Content: blocks})
}

func userBlocks(m *oai.Message, param string) ([]block, error) {
	parts, err := m.Parts()
	if err != nil {
		return nil, providers.Invalid(param+".content", err.Error())
	}
	blocks := make([]block, 0, len(parts))
	for j, p := range parts {
		switch p.Type {
		case "text":
			blocks = append(blocks, block{Type: "text", Text: p.Text})
		case "image_url":
			if p.ImageURL == nil || p.ImageURL.URL == "" {
				return nil, providers.Invalid(fmt.Sprintf("%s.content[%d].image_url", param, j), "An image_url part needs a url.")
			}
			blocks = append(blocks, block{Type: "image", Source: imageFrom(p.ImageURL.URL)})
		default:
			return nil, providers.Invalid(fmt.Sprintf("%s.content[%d].type", param, j),
				fmt.Sprintf("Content parts of type %q are not supported by Anthropic models.", p.Type))
		}
	}
	if len(blocks) == 0 {
		blocks = append(blocks, block{Type: "text", Text: ""})
	}
	return blocks, nil
}

func imageFrom(u string) *imageSource {
	if mt, data, ok := oai.DataURL(u); ok {
		return &imageSource{Type: "base64", MediaType: mt, Data: data}
	}
	return &imageSource{Type: "url", URL: u}
}

func assistantBlocks(m *oai.Message, param string) ([]block, error) {
	text, err := m.Text()
	if err != nil {
		return nil, providers.Invalid(param+".content", err.Error())
	}
	var blocks []block
	if text != "" {
		blocks = append(blocks, block{Type: "text", Text: text})
	}
	calls, err := m.Calls()
	if err != nil {
		return nil, providers.Invalid(param+".tool_calls", err.Error())
	}
	for j, tc := range calls {
		args := json.RawMessage(tc.Function.Arguments)
		if len(args) == 0 {
			args = json.RawMessage("{}")
		}
		if !json.Valid(args) {
			return nil, providers.Invalid(fmt.Sprintf("%s.tool_calls[%d].function.arguments", param, j), "Tool call arguments must be a JSON object.")
		}
		blocks = append(blocks, block{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: args})
	}
	return blocks, nil
}

func convertTools(r *oai.ChatParams, out *request) error {
	for i, t := range r.Tools {
		if t.Type != "function" || t.Function.Name == "" {
			return providers.Invalid(fmt.Sprintf("tools[%d]", i), "Only tools of type function with a name are supported.")
		}
		schema := t.Function.Parameters
		if len(schema) == 0 || string(schema) == "null" {
			schema = emptySchema
		}
		out.Tools = append(out.Tools, tool{Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema})
	}
	tc, err := r.ParseToolChoice()
	if err != nil {
		return providers.Invalid("tool_choice", err.Error())
	}
	if len(out.Tools) == 0 {
		return nil
	}
	noParallel := r.ParallelToolCalls != nil && !*r.ParallelToolCalls
	switch tc.Mode {
	case "none":
		out.ToolChoice = &toolChoice{Type: "none"}
	case "required":
		out.ToolChoice = &toolChoice{Type: "any", DisableParallelToolUse: noParallel}
	case "function":
		out.ToolChoice = &toolChoice{Type: "tool", Name: tc.Function, DisableParallelToolUse: noParallel}
	default:
		if noParallel {
			out.ToolChoice = &toolChoice{Type: "auto", DisableParallelToolUse: true}
		}
	}
	return nil
}

// applyResponseFormat serves json_object and json_schema through a forced
// tool whose input schema is the wanted answer's.
func applyResponseFormat(r *oai.ChatParams, out *request) (bool, error) {
	rf := r.ResponseFormat
	if rf == nil || rf.Type == "" || rf.Type == "text" {
		return false, nil
	}
	if len(out.Tools) > 0 {
		return false, providers.Invalid("response_format", "Anthropic models cannot combine response_format with tools through the gateway; use one or the other.")
	}
	schema := json.RawMessage(`{"type":"object"}`)
	desc := "Respond with a JSON object."
	switch rf.Type {
	case "json_object":
	case "json_schema":
		if rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0 {
			return false, providers.Invalid("response_format.json_schema", "json_schema needs a schema.")
		}
		schema = rf.JSONSchema.Schema
		if rf.JSONSchema.Description != "" {
			desc = rf.JSONSchema.Description
		}
	default:
		return false, providers.Invalid("response_format.type", fmt.Sprintf("response_format type %q: want text, json_object or json_schema.", rf.Type))
	}
	out.Tools = []tool{{Name: JSONTool, Description: desc, InputSchema: schema}}
	out.ToolChoice = &toolChoice{Type: "tool", Name: JSONTool}
	return true, nil
}
