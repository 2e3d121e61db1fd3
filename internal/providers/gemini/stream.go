package gemini

import (
	"encoding/json"
	"fmt"

	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
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
func (s *Stream) Event(dst []byte, data []byte) ([]byte, error) {
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
// ended without a finish reason was cut, and End returns false.
func (s *Stream) End(dst []byte) ([]byte, bool) {
	if s.finish == "" || s.done {
		return dst, false
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
	return providers.Done(dst), true
}

// Started reports whether the stream has produced client-visible output.
func (s *Stream) Started() bool { return s.started }

// Usage returns the usage reported so far, and whether the stream ended
// properly so that it is final.
func (s *Stream) Usage() (oai.Usage, bool) { return s.usage.openAI(), s.done && s.usage != nil }
