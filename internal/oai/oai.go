// Package oai holds the OpenAI wire format as the gateway reads and writes it:
// requests are decoded only as far as the gateway needs (the raw body is kept
// and forwarded), responses are the types the gateway itself produces.
package oai

import (
	"encoding/json"
)

// ChatRequest is the part of a /v1/chat/completions body the gateway reads.
type ChatRequest struct {
	Model               string          `json:"model"`
	Messages            []Message       `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *StreamOptions  `json:"stream_options,omitempty"`
	MaxTokens           *int            `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
	N                   *int            `json:"n,omitempty"`
	Tools               json.RawMessage `json:"tools,omitempty"`
	User                string          `json:"user,omitempty"`

	// paramErr is the first parameter the decode found of a wrong type or
	// value (see chatParams); Validate reports it.
	paramErr *ParamError
}

// StreamOptions is "stream_options".
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Message is one chat message. Content is a string or an array of parts.
type Message struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content,omitempty"`
	Name       string          `json:"name,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
	ToolCalls  json.RawMessage `json:"tool_calls,omitempty"`
	// Refusal, Audio and FunctionCall are an assistant message's refusal,
	// audio reference and (deprecated) function call, kept to be checked
	// and forwarded as they are.
	Refusal      json.RawMessage `json:"refusal,omitempty"`
	Audio        json.RawMessage `json:"audio,omitempty"`
	FunctionCall json.RawMessage `json:"function_call,omitempty"`

	// text and media cache Text and Media: limits, guardrails and routing
	// all read them.
	text     string
	media    Media
	textErr  error
	textDone bool
}

// ContentPart is one element of an array content: a text, or an image.
type ContentPart struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	ImageURL *ImageURL `json:"image_url,omitempty"`
}

// ImageURL is an image_url part: an https URL or a data: URL.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// Text returns the textual content of m: the string, or the text parts joined
// by newlines. Non-text parts (images, audio, files) are skipped. Content that
// is not a string or an array of known parts, with the fields of their type,
// is an error (a *ParamError).
func (m *Message) Text() (string, error) {
	if !m.textDone {
		c, err := readContent(m.Content, m.Role, param("content"))
		m.text, m.media, m.textDone = c.text, c.media, true
		if err != nil {
			m.textErr = err
		}
	}
	return m.text, m.textErr
}

// Media returns what m's content holds besides text (after Text or the
// request's Validate has read it).
func (m *Message) Media() Media {
	m.Text() //nolint:errcheck // the media read before any error are returned
	return m.media
}

// ContentText returns the textual content of a message's "content": the
// string, or the text parts joined by newlines. Non-text parts (images,
// audio, files) are skipped; parts of unknown types are an error.
func ContentText(c json.RawMessage) (string, error) {
	out, err := readContent(c, "", param("content"))
	if err != nil {
		return "", err
	}
	return out.text, nil
}

// OutputLimit returns the requested completion limit, or 0 when unset.
func (r *ChatRequest) OutputLimit() int { return outputLimit(r.MaxCompletionTokens, r.MaxTokens) }

func outputLimit(maxCompletion, maxTokens *int) int {
	if maxCompletion != nil {
		return *maxCompletion
	}
	if maxTokens != nil {
		return *maxTokens
	}
	return 0
}

// ChatCompletion is a non-streamed answer.
type ChatCompletion struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	Choices           []Choice `json:"choices"`
	Usage             *Usage   `json:"usage,omitempty"`
	SystemFingerprint string   `json:"system_fingerprint,omitempty"`
}

// Choice is one answer of a ChatCompletion.
type Choice struct {
	Index        int             `json:"index"`
	Message      ResponseMessage `json:"message"`
	FinishReason string          `json:"finish_reason"`
}

// ResponseMessage is the assistant's message in a Choice; Content is null
// when the model only called tools.
type ResponseMessage struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	Refusal   *string    `json:"refusal"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}

// ChatChunk is one event of a streamed answer.
type ChatChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	Choices           []ChunkChoice `json:"choices"`
	Usage             *Usage        `json:"usage,omitempty"`
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
}

// ChunkChoice is one choice's delta in a ChatChunk.
type ChunkChoice struct {
	Index        int     `json:"index"`
	Delta        Delta   `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

// Delta is the new part of a streamed message.
type Delta struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content,omitempty"`
}

// Usage is token accounting as OpenAI reports it.
type Usage struct {
	PromptTokens        int                  `json:"prompt_tokens"`
	CompletionTokens    int                  `json:"completion_tokens"`
	TotalTokens         int                  `json:"total_tokens"`
	PromptTokensDetails *PromptTokensDetails `json:"prompt_tokens_details,omitempty"`
}

// PromptTokensDetails breaks prompt tokens down.
type PromptTokensDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Object string  `json:"object"`
	Data   []Model `json:"data"`
}

// Model is one entry of a ModelList.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}
