package gemini

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/sse"
)

// Stream translates streamGenerateContent?alt=sse chunks (each a whole
// GenerateContentResponse) into chat.completion.chunk events. The role chunk
// goes with the first content, so that a stream failing before any content
// leaves nothing sent.
type Stream struct {
	// Provider and Key name the provider and its key for errors.
	Provider, Key string

	cw           *providers.ChunkWriter
	id, model    string
	created      int64
	includeUsage bool
	started      bool
	done         bool
	finish       string
	toolCalls    int
	usage        *usageMetadata
	relay        providers.Relay
}

// streamChunk is the part of a streamed GenerateContentResponse the
// translator reads: smaller than response, so cheaper to decode per chunk.
type streamChunk struct {
	Candidates    []streamCandidate `json:"candidates"`
	UsageMetadata *usageMetadata    `json:"usageMetadata"`
	ModelVersion  string            `json:"modelVersion"`
	ResponseID    string            `json:"responseId"`
	Error         *errorDetail      `json:"error"`
}

type streamCandidate struct {
	Content struct {
		Parts []streamPart `json:"parts"`
	} `json:"content"`
	FinishReason string `json:"finishReason"`
}

type streamPart struct {
	Text         string        `json:"text"`
	Thought      bool          `json:"thought"`
	FunctionCall *functionCall `json:"functionCall"`
}

// NewStream prepares the translation of one stream.
func NewStream(id, model string, created int64, includeUsage bool) *Stream {
	return &Stream{id: id, model: model, created: created, includeUsage: includeUsage}
}

// Event translates one chunk (an SSE event's data) and appends the OpenAI
// events it makes to dst. An error chunk returns the normalised
// *apierr.Error as the error.
func (s *Stream) Event(dst []byte, event []byte) ([]byte, error) {
	data, ok := sse.Data(event, nil)
	if !ok {
		return dst, nil // a comment
	}
	var r streamChunk
	if !r.walk(data) {
		r = streamChunk{}
		if err := json.Unmarshal(data, &r); err != nil {
			return dst, fmt.Errorf("decoding Gemini stream chunk: %w", err)
		}
	}
	if r.Error != nil {
		return dst, normalise(s.Provider, r.Error.Code, r.Error.Status, providers.Scrub(r.Error.Message, s.Key))
	}
	if s.cw == nil {
		if r.ResponseID != "" {
			s.id = r.ResponseID
		}
		if r.ModelVersion != "" {
			s.model = r.ModelVersion
		}
		s.cw = providers.NewChunkWriter(s.id, s.model, s.created)
	}
	if r.UsageMetadata != nil {
		s.usage = r.UsageMetadata // cumulative: the last one counts
	}
	if len(r.Candidates) == 0 {
		return dst, nil
	}
	c := &r.Candidates[0]
	for _, p := range c.Content.Parts {
		switch {
		case p.Thought:
		case p.FunctionCall != nil:
			dst = s.start(dst)
			args := string(p.FunctionCall.Args)
			if args == "" {
				args = "{}"
			}
			dst = s.cw.ToolCall(dst, s.toolCalls, toolCallID(p.FunctionCall.ID, 0, s.toolCalls), p.FunctionCall.Name, args)
			s.toolCalls++
		case p.Text != "":
			dst = s.start(dst)
			dst = s.cw.Text(dst, p.Text)
		}
	}
	if c.FinishReason != "" {
		s.finish = c.FinishReason
	}
	return dst, nil
}

func (s *Stream) start(dst []byte) []byte {
	if !s.started {
		s.started = true
		dst = s.cw.Role(dst)
	}
	return dst
}

// End is called when the provider's stream ended without error: Gemini sends
// no end marker, the last chunk carries the finish reason. End appends the
// finish chunk, the usage chunk when asked for, and [DONE]. A stream that
// ended without a finish reason was cut: End returns io.ErrUnexpectedEOF.
func (s *Stream) End(dst []byte) ([]byte, error) {
	if s.finish == "" || s.done {
		return dst, io.ErrUnexpectedEOF
	}
	s.done = true
	if s.cw == nil {
		s.cw = providers.NewChunkWriter(s.id, s.model, s.created)
	}
	dst = s.start(dst)
	dst = s.cw.Finish(dst, FinishReason(s.finish, s.toolCalls > 0))
	if s.includeUsage {
		dst = s.cw.Usage(dst, s.usage.openAI())
	}
	return providers.Done(dst), nil
}

// Answer translates a whole, non-streamed answer.
func (s *Stream) Answer(body []byte) ([]byte, error) {
	out, u, err := TranslateResponse(body, s.id, s.model, s.created)
	if err != nil {
		return nil, err
	}
	s.relay.Usage, s.relay.Reported = u, true
	return out, nil
}

// Relay returns what the answer carried so far: the usage is reported once
// the stream ended properly.
func (s *Stream) Relay() *providers.Relay {
	if s.cw != nil {
		s.relay.Usage, s.relay.Reported = s.usage.openAI(), s.done && s.usage != nil
		s.relay.Content, s.relay.Counted = s.cw.Generated(), true
		if s.finish != "" {
			s.relay.Finish = FinishReason(s.finish, s.toolCalls > 0)
		}
	}
	return &s.relay
}
