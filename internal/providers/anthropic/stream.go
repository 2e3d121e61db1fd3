package anthropic

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/sse"
)

// Stream reads one call's answer: a Messages API event stream translated
// into chat.completion.chunk events, one provider event at a time, or a
// whole answer (Answer). The role chunk is held back until
// the first content, so that an error before any content (an overloaded_error
// right after message_start, say) leaves nothing sent and the call can still
// be retried elsewhere.
type Stream struct {
	// Provider and Key name the provider and its key for errors.
	Provider, Key string

	cw           *providers.ChunkWriter
	model        string
	created      int64
	includeUsage bool
	jsonMode     bool
	started      bool
	done         bool
	usage        usage
	stop         string
	// blocks maps an Anthropic content block index to its OpenAI tool-call
	// index, or -1 for text, -2 for a block left out (thinking).
	blocks    map[int]int
	toolCalls int
	relay     providers.Relay
}

// NewStream prepares the translation of one stream. model is used until the
// provider's message_start names its own.
func NewStream(model string, created int64, includeUsage, jsonMode bool) *Stream {
	return &Stream{model: model, created: created, includeUsage: includeUsage, jsonMode: jsonMode, blocks: map[int]int{}}
}

type streamEvent struct {
	Type         string          `json:"type"`
	Index        int             `json:"index"`
	Message      *response       `json:"message"`
	ContentBlock *responseBlock  `json:"content_block"`
	Delta        json.RawMessage `json:"delta"`
	Usage        *usage          `json:"usage"`
	Error        *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type delta struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	PartialJSON string `json:"partial_json"`
	StopReason  string `json:"stop_reason"`
}

// Event translates one provider event (its data; the event name repeats the
// data's type) and appends the OpenAI events it makes to dst. An error event
// returns the normalised *apierr.Error as the error.
func (s *Stream) Event(dst []byte, event []byte) ([]byte, error) {
	data, ok := sse.Data(event, nil)
	if !ok {
		return dst, nil // a comment
	}
	if index, text, ok := parseTextDelta(data); ok {
		if kind, known := s.blocks[index]; !known || kind == -1 {
			dst = s.start(dst)
			return s.writer().Text(dst, text), nil
		}
		return dst, nil
	}
	var ev streamEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return dst, fmt.Errorf("decoding Anthropic stream event: %w", err)
	}
	switch ev.Type {
	case "message_start":
		if ev.Message != nil {
			if ev.Message.Model != "" {
				s.model = ev.Message.Model
			}
			s.usage = ev.Message.Usage
			s.cw = providers.NewChunkWriter(ev.Message.ID, s.model, s.created)
		}
	case "content_block_start":
		return s.blockStart(dst, ev.Index, ev.ContentBlock), nil
	case "content_block_delta":
		return s.blockDelta(dst, ev.Index, ev.Delta)
	case "message_delta":
		var d delta
		json.Unmarshal(ev.Delta, &d) //nolint:errcheck // a delta without stop_reason is fine
		if d.StopReason != "" {
			s.stop = d.StopReason
		}
		if ev.Usage != nil {
			// message_delta's usage is cumulative; input counts may be absent.
			s.usage.OutputTokens = ev.Usage.OutputTokens
			if ev.Usage.InputTokens > 0 {
				s.usage.InputTokens = ev.Usage.InputTokens
			}
		}
	case "message_stop":
		return s.finish(dst), nil
	case "error":
		if ev.Error != nil {
			return dst, normalise(s.Provider, 0, ev.Error.Type, providers.Scrub(ev.Error.Message, s.Key))
		}
		return dst, normalise(s.Provider, 0, "", "")
	}
	return dst, nil // ping, content_block_stop and unknown events
}

func (s *Stream) writer() *providers.ChunkWriter {
	if s.cw == nil {
		s.cw = providers.NewChunkWriter("msg_unknown", s.model, s.created)
	}
	return s.cw
}

func (s *Stream) start(dst []byte) []byte {
	if !s.started {
		s.started = true
		dst = s.writer().Role(dst)
	}
	return dst
}

func (s *Stream) blockStart(dst []byte, index int, b *responseBlock) []byte {
	if b == nil {
		return dst
	}
	switch {
	case b.Type == "text":
		s.blocks[index] = -1
		if b.Text != "" {
			dst = s.start(dst)
			dst = s.writer().Text(dst, b.Text)
		}
	case b.Type == "tool_use" && s.jsonMode && b.Name == JSONTool:
		s.blocks[index] = -1
	case b.Type == "tool_use":
		s.blocks[index] = s.toolCalls
		dst = s.start(dst)
		dst = s.writer().ToolCall(dst, s.toolCalls, b.ID, b.Name, "")
		s.toolCalls++
	default: // thinking, redacted_thinking: kept out of the answer
		s.blocks[index] = -2
	}
	return dst
}

func (s *Stream) blockDelta(dst []byte, index int, raw json.RawMessage) ([]byte, error) {
	var d delta
	if err := json.Unmarshal(raw, &d); err != nil {
		return dst, fmt.Errorf("decoding Anthropic delta: %w", err)
	}
	kind, ok := s.blocks[index]
	if !ok {
		kind = -1
	}
	switch {
	case d.Type == "text_delta" && kind == -1:
		dst = s.start(dst)
		return s.writer().Text(dst, d.Text), nil
	case d.Type == "input_json_delta" && kind == -1: // JSON mode: the tool input is the answer
		if d.PartialJSON == "" {
			return dst, nil
		}
		dst = s.start(dst)
		return s.writer().Text(dst, d.PartialJSON), nil
	case d.Type == "input_json_delta" && kind >= 0:
		if d.PartialJSON == "" {
			return dst, nil
		}
		return s.writer().ToolCall(dst, kind, "", "", d.PartialJSON), nil
	}
	return dst, nil // thinking_delta, signature_delta, citations
}

func (s *Stream) finish(dst []byte) []byte {
	if s.done {
		return dst
	}
	s.done = true
	dst = s.start(dst)
	dst = s.writer().Finish(dst, FinishReason(s.stop, s.jsonMode))
	if s.includeUsage {
		dst = s.writer().Usage(dst, s.usage.openAI())
	}
	return providers.Done(dst)
}

// End reports a stream that ended before message_stop as cut short.
func (s *Stream) End(dst []byte) ([]byte, error) {
	if !s.done {
		return dst, io.ErrUnexpectedEOF
	}
	return dst, nil
}

// Answer translates a whole, non-streamed answer.
func (s *Stream) Answer(body []byte) ([]byte, error) {
	out, u, err := TranslateResponse(body, s.model, s.created, s.jsonMode)
	if err != nil {
		return nil, err
	}
	s.relay.Usage, s.relay.Reported = u, true
	return out, nil
}

// Relay returns what the answer carried so far: the usage is reported once
// the stream completed.
func (s *Stream) Relay() *providers.Relay {
	if s.cw != nil {
		s.relay.Usage, s.relay.Reported = s.usage.openAI(), s.done
		s.relay.Content, s.relay.Counted = s.cw.Generated(), true
		if s.stop != "" {
			s.relay.Finish = FinishReason(s.stop, s.jsonMode)
		}
	}
	return &s.relay
}
