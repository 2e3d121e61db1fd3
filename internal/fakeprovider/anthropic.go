package fakeprovider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/aigw/aigw/internal/mockllm"
	"github.com/aigw/aigw/internal/oai"
)

// anthRequest is the part of a Messages API body the fake reads.
type anthRequest struct {
	Model     string          `json:"model"`
	MaxTokens int             `json:"max_tokens"`
	System    json.RawMessage `json:"system"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Tools []struct {
		Name string `json:"name"`
	} `json:"tools"`
	ToolChoice *struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tool_choice"`
	Stream bool `json:"stream"`
}

type anthBlock struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	ToolUseID string `json:"tool_use_id"`
}

// blocksText returns the text of a string or block-array content, and
// whether it holds a tool result.
func blocksText(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, false
	}
	var blocks []anthBlock
	json.Unmarshal(raw, &blocks) //nolint:errcheck // not blocks: no text
	text, result := "", false
	for _, b := range blocks {
		text += b.Text
		result = result || b.Type == "tool_result"
	}
	return text, result
}

// anthropicAnswer is the fake's answer: mockllm's text, or a call of a tool
// when the request offers tools and the last turn is not a tool result.
type anthropicAnswer struct {
	a        mockllm.Answer
	tool     string
	toolArgs string
}

func answerAnthropic(req *anthRequest) anthropicAnswer {
	or := oai.ChatRequest{Model: req.Model}
	if req.MaxTokens > 0 {
		or.MaxTokens = &req.MaxTokens
	}
	if len(req.System) > 0 {
		sys, _ := blocksText(req.System)
		or.Messages = append(or.Messages, oai.Message{Role: "system", Content: mustJSON(sys)})
	}
	lastIsResult, last := false, ""
	for _, m := range req.Messages {
		text, result := blocksText(m.Content)
		or.Messages = append(or.Messages, oai.Message{Role: m.Role, Content: mustJSON(text)})
		lastIsResult = result
		if m.Role == "user" {
			last = text
		}
	}
	out := anthropicAnswer{a: mockllm.Chat(&or)}
	if len(req.Tools) > 0 && !lastIsResult && (req.ToolChoice == nil || req.ToolChoice.Type != "none") {
		out.tool = req.Tools[0].Name
		if req.ToolChoice != nil && req.ToolChoice.Name != "" {
			out.tool = req.ToolChoice.Name
		}
		out.toolArgs = string(mustJSON(map[string]string{"echo": last}))
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func writeAnthropicError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake_error")
	retryAfter(w, status)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":"error","error":{"type":%q,"message":%q}}`, typ, msg)
}

func anthropicStatusType(status int) string {
	switch status {
	case 400:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 429:
		return "rate_limit_error"
	case 529:
		return "overloaded_error"
	}
	return "api_error"
}

// anthropic serves POST /v1/messages.
func (s *Server) anthropic(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.record(r, body)
	var req anthRequest
	if err := json.Unmarshal(body, &req); err != nil || req.MaxTokens < 1 {
		writeAnthropicError(w, http.StatusBadRequest, "invalid_request_error", "messages and max_tokens are required")
		return
	}
	f := parseFault(req.Model)
	if !s.preamble(w, r, f, req.Model, anthropicFaults) {
		return
	}
	ans := answerAnthropic(&req)
	id := fmt.Sprintf("msg_fake%d", s.requests.Load())
	w.Header().Set("Request-Id", "req_"+id)
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(anthropicMessage(&ans, id, req.Model, f.thinking)) //nolint:errcheck
		return
	}
	s.sse(w, r, anthropicEvents(&ans, id, req.Model, f), f)
}

// anthropicFaults writes the Anthropic form of the fault errors.
func anthropicFaults(w http.ResponseWriter, status int, f fault) {
	switch {
	case f.overloaded:
		writeAnthropicError(w, 529, "overloaded_error", "Overloaded")
	case f.context:
		writeAnthropicError(w, 400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum")
	default:
		writeAnthropicError(w, status, anthropicStatusType(status), fmt.Sprintf("fake provider fault %d", status))
	}
}

func (a *anthropicAnswer) stopReason() string {
	switch {
	case a.tool != "":
		return "tool_use"
	case a.a.FinishReason == "length":
		return "max_tokens"
	}
	return "end_turn"
}

func anthropicMessage(a *anthropicAnswer, id, model string, thinking bool) map[string]any {
	var content []map[string]any
	if thinking {
		content = append(content, map[string]any{"type": "thinking", "thinking": "Let me think about the answer.", "signature": "sig"})
	}
	if a.tool == "" || a.tool != "json_response" {
		content = append(content, map[string]any{"type": "text", "text": a.a.Content()})
	}
	if a.tool != "" {
		content = append(content, map[string]any{"type": "tool_use", "id": "toolu_fake1", "name": a.tool, "input": json.RawMessage(a.toolArgs)})
	}
	return map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model, "content": content,
		"stop_reason": a.stopReason(), "stop_sequence": nil,
		"usage": map[string]int{"input_tokens": a.a.PromptTokens, "output_tokens": a.a.CompletionTokens},
	}
}

// sseEvent is one named server-sent event.
type sseEvent struct {
	name string
	data any
}

// anthropicEvents is the documented event flow: message_start, a ping,
// content blocks (start, deltas, stop), message_delta with the stop reason
// and usage, message_stop.
func anthropicEvents(a *anthropicAnswer, id, model string, f fault) []sseEvent {
	msg := anthropicMessage(a, id, model, false)
	msg["content"], msg["stop_reason"] = []any{}, nil
	msg["usage"] = map[string]int{"input_tokens": a.a.PromptTokens, "output_tokens": 1}
	ev := []sseEvent{{"message_start", map[string]any{"type": "message_start", "message": msg}}, {"ping", map[string]string{"type": "ping"}}}
	if f.streamError {
		return append(ev, sseEvent{"error", map[string]any{"type": "error", "error": map[string]string{"type": "overloaded_error", "message": "Overloaded"}}})
	}
	idx := 0
	block := func(start map[string]any, deltas ...map[string]any) {
		ev = append(ev, sseEvent{"content_block_start", map[string]any{"type": "content_block_start", "index": idx, "content_block": start}})
		for _, d := range deltas {
			ev = append(ev, sseEvent{"content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": d}})
		}
		ev = append(ev, sseEvent{"content_block_stop", map[string]any{"type": "content_block_stop", "index": idx}})
		idx++
	}
	if f.thinking {
		block(map[string]any{"type": "thinking", "thinking": ""},
			map[string]any{"type": "thinking_delta", "thinking": "Let me think about the answer."},
			map[string]any{"type": "signature_delta", "signature": "sig"})
	}
	if a.tool != "json_response" {
		var deltas []map[string]any
		for _, p := range a.a.Pieces {
			deltas = append(deltas, map[string]any{"type": "text_delta", "text": p})
		}
		block(map[string]any{"type": "text", "text": ""}, deltas...)
	}
	if a.tool != "" {
		half := len(a.toolArgs) / 2
		block(map[string]any{"type": "tool_use", "id": "toolu_fake1", "name": a.tool, "input": map[string]any{}},
			map[string]any{"type": "input_json_delta", "partial_json": ""},
			map[string]any{"type": "input_json_delta", "partial_json": a.toolArgs[:half]},
			map[string]any{"type": "input_json_delta", "partial_json": a.toolArgs[half:]})
	}
	return append(ev,
		sseEvent{"message_delta", map[string]any{"type": "message_delta",
			"delta": map[string]any{"stop_reason": a.stopReason(), "stop_sequence": nil},
			"usage": map[string]int{"output_tokens": a.a.CompletionTokens}}},
		sseEvent{"message_stop", map[string]string{"type": "message_stop"}})
}
