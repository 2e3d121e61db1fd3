package anthropic

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

type response struct {
	ID         string          `json:"id"`
	Model      string          `json:"model"`
	Content    []responseBlock `json:"content"`
	StopReason string          `json:"stop_reason"`
	Usage      usage           `json:"usage"`
}

type responseBlock struct {
	Type  string          `json:"type"`
	Text  string          `json:"text"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type usage struct {
	InputTokens              int `json:"input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
}

// openAI returns u as OpenAI counts it: prompt tokens include the cached and
// cache-writing ones.
func (u usage) openAI() oai.Usage {
	prompt := u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
	return oai.Usage{
		PromptTokens: prompt, CompletionTokens: u.OutputTokens, TotalTokens: prompt + u.OutputTokens,
		PromptTokensDetails: &oai.PromptTokensDetails{CachedTokens: u.CacheReadInputTokens},
	}
}

// FinishReason maps an Anthropic stop_reason to OpenAI's finish_reason.
func FinishReason(stop string, jsonMode bool) string {
	switch stop {
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		if jsonMode {
			return "stop"
		}
		return "tool_calls"
	case "refusal":
		return "content_filter"
	}
	return "stop" // end_turn, stop_sequence, pause_turn
}

// TranslateResponse turns a Messages API answer into a chat.completion.
// Thinking blocks are left out of the content.
func TranslateResponse(body []byte, model string, created int64, jsonMode bool) ([]byte, oai.Usage, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, oai.Usage{}, fmt.Errorf("decoding Anthropic answer: %w", err)
	}
	if r.Model != "" {
		model = r.Model
	}
	var text strings.Builder
	var calls []oai.ToolCall
	for _, b := range r.Content {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "tool_use":
			if jsonMode && b.Name == JSONTool {
				text.Write(b.Input)
				continue
			}
			args := string(b.Input)
			if args == "" {
				args = "{}"
			}
			calls = append(calls, oai.ToolCall{ID: b.ID, Type: "function", Function: oai.FunctionCall{Name: b.Name, Arguments: args}})
		}
	}
	msg := oai.ResponseMessage{Role: "assistant", ToolCalls: calls}
	if text.Len() > 0 || len(calls) == 0 {
		s := text.String()
		msg.Content = &s
	}
	u := r.Usage.openAI()
	out := oai.ChatCompletion{
		ID: r.ID, Object: "chat.completion", Created: created, Model: model,
		Choices: []oai.Choice{{Message: msg, FinishReason: FinishReason(r.StopReason, jsonMode)}},
		Usage:   &u,
	}
	b, err := json.Marshal(&out)
	return b, u, err
}

type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// Error normalises an Anthropic error answer (status and body) to the
// OpenAI error the client gets, keeping Anthropic's message without the key.
func Error(provider, key string, status int, body []byte) *apierr.Error {
	var eb errorBody
	json.Unmarshal(body, &eb) //nolint:errcheck // a body that is not JSON keeps an empty message
	return normalise(provider, status, eb.Error.Type, providers.Scrub(eb.Error.Message, key))
}

func normalise(provider string, status int, typ, msg string) *apierr.Error {
	switch {
	case typ == "overloaded_error" || status == 529:
		return providers.Overloaded(provider, msg)
	case typ == "rate_limit_error" || status == http.StatusTooManyRequests:
		return providers.RateLimited(msg)
	case typ == "authentication_error" || typ == "permission_error" || status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.AuthFailed(provider)
	case typ == "timeout_error" || status == http.StatusGatewayTimeout:
		return apierr.Newf(http.StatusGatewayTimeout, providers.CodeTimeout, "The provider %q timed out: %s", provider, msg)
	case (typ == "invalid_request_error" || status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge) && providers.LooksLikeContextOverflow(msg):
		return providers.ContextExceeded(msg)
	case typ == "request_too_large" || status == http.StatusRequestEntityTooLarge:
		return apierr.New(http.StatusRequestEntityTooLarge, "request_too_large", orText(msg, "The request is too large for the provider."))
	case status >= 400 && status < 500:
		return apierr.New(status, providers.CodeInvalid, orText(msg, http.StatusText(status)))
	}
	if status < 500 {
		status = http.StatusInternalServerError // an error event inside a 200 stream
	}
	return providers.ServerError(provider, status, msg)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
