package gemini

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

type response struct {
	Candidates    []candidate    `json:"candidates"`
	UsageMetadata *usageMetadata `json:"usageMetadata"`
	ModelVersion  string         `json:"modelVersion"`
	ResponseID    string         `json:"responseId"`
	Error         *errorDetail   `json:"error"`
}

type candidate struct {
	Content      content `json:"content"`
	FinishReason string  `json:"finishReason"`
	Index        int     `json:"index"`
}

type usageMetadata struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount"`
	TotalTokenCount         int `json:"totalTokenCount"`
}

// openAI counts thinking tokens as completion tokens: they are billed as output.
func (u *usageMetadata) openAI() oai.Usage {
	if u == nil {
		return oai.Usage{PromptTokensDetails: &oai.PromptTokensDetails{}}
	}
	completion := u.CandidatesTokenCount + u.ThoughtsTokenCount
	return oai.Usage{
		PromptTokens: u.PromptTokenCount, CompletionTokens: completion, TotalTokens: u.PromptTokenCount + completion,
		PromptTokensDetails: &oai.PromptTokensDetails{CachedTokens: u.CachedContentTokenCount},
	}
}

// FinishReason maps a Gemini finishReason to OpenAI's finish_reason.
func FinishReason(reason string, calledTools bool) string {
	switch reason {
	case "MAX_TOKENS":
		return "length"
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE":
		return "content_filter"
	}
	if calledTools {
		return "tool_calls"
	}
	return "stop"
}

// toolCallID names the i-th call of an answer: Gemini's calls carry no id
// unless the API version sets one.
func toolCallID(id string, candidate, i int) string {
	if id != "" {
		return id
	}
	return "call_" + strconv.Itoa(candidate) + "_" + strconv.Itoa(i)
}

// TranslateResponse turns a generateContent answer into a chat.completion.
// Thought parts are left out of the content.
func TranslateResponse(body []byte, id, model string, created int64) ([]byte, oai.Usage, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, oai.Usage{}, fmt.Errorf("decoding Gemini answer: %w", err)
	}
	if r.ResponseID != "" {
		id = r.ResponseID
	}
	if r.ModelVersion != "" {
		model = r.ModelVersion
	}
	out := oai.ChatCompletion{ID: id, Object: "chat.completion", Created: created, Model: model, Choices: []oai.Choice{}}
	for ci, c := range r.Candidates {
		var text strings.Builder
		var calls []oai.ToolCall
		for _, p := range c.Content.Parts {
			switch {
			case p.Thought:
			case p.FunctionCall != nil:
				args := string(p.FunctionCall.Args)
				if args == "" {
					args = "{}"
				}
				calls = append(calls, oai.ToolCall{ID: toolCallID(p.FunctionCall.ID, ci, len(calls)), Type: "function",
					Function: oai.FunctionCall{Name: p.FunctionCall.Name, Arguments: args}})
			default:
				text.WriteString(p.Text)
			}
		}
		msg := oai.ResponseMessage{Role: "assistant", ToolCalls: calls}
		if text.Len() > 0 || len(calls) == 0 {
			s := text.String()
			msg.Content = &s
		}
		out.Choices = append(out.Choices, oai.Choice{Index: ci, Message: msg, FinishReason: FinishReason(c.FinishReason, len(calls) > 0)})
	}
	u := r.UsageMetadata.openAI()
	out.Usage = &u
	b, err := json.Marshal(&out)
	return b, u, err
}

type errorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

// Error normalises a Gemini error answer (a google.rpc.Status body) to the
// OpenAI error the client gets, keeping Gemini's message without the key.
func Error(provider, key string, status int, body []byte) *apierr.Error {
	var eb struct {
		Error errorDetail `json:"error"`
	}
	if json.Unmarshal(body, &eb) != nil {
		// streamGenerateContent without alt=sse wraps the error in an array.
		var arr []struct {
			Error errorDetail `json:"error"`
		}
		if json.Unmarshal(body, &arr) == nil && len(arr) > 0 {
			eb.Error = arr[0].Error
		}
	}
	return normalise(provider, status, eb.Error.Status, providers.Scrub(eb.Error.Message, key))
}

func normalise(provider string, status int, code, msg string) *apierr.Error {
	switch {
	case code == "RESOURCE_EXHAUSTED" || status == http.StatusTooManyRequests:
		return providers.RateLimited(msg)
	case code == "UNAVAILABLE" || status == http.StatusServiceUnavailable:
		return providers.Overloaded(provider, msg)
	case code == "UNAUTHENTICATED" || code == "PERMISSION_DENIED" || status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.AuthFailed(provider)
	case code == "DEADLINE_EXCEEDED" || status == http.StatusGatewayTimeout:
		return apierr.Newf(http.StatusGatewayTimeout, providers.CodeTimeout, "The provider %q timed out: %s", provider, msg)
	case (code == "INVALID_ARGUMENT" || status == http.StatusBadRequest) && providers.LooksLikeContextOverflow(msg):
		return providers.ContextExceeded(msg)
	case status >= 400 && status < 500:
		return apierr.New(status, providers.CodeInvalid, orText(msg, http.StatusText(status)))
	}
	if status < 500 {
		status = http.StatusInternalServerError
	}
	return providers.ServerError(provider, status, msg)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
