package openai

import (
	"encoding/json"

	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/sse"
)

// Reader passes an OpenAI-format answer on as the provider sent it and reads
// what it carries: usage, generated content, finish. Each streamed chunk is
// read once, by a walk of its bytes (oai.ReadChunk); the guardrail in front
// of the router screens it from that same reading (Chunk).
type Reader struct {
	hideUsage bool
	relay     providers.Relay
	chunk     oai.Chunk
	passed    bool // the last event's chunk was read and passed on unchanged
}

// NewReader reads one answer; with hideUsage, a stream's usage-only chunk,
// which the gateway asked for, is read and not passed on.
func NewReader(hideUsage bool) *Reader { return &Reader{hideUsage: hideUsage} }

// Answer reads a whole answer's usage or, when it has none, the content it
// carries; the answer goes to the client as it is.
func (r *Reader) Answer(body []byte) ([]byte, error) {
	if u, ok := oai.ReadUsage(body); ok {
		r.relay.Usage, r.relay.Reported = u, true
		return body, nil
	}
	if n, ok := oai.AnswerContent(body); ok {
		r.relay.Content, r.relay.Counted = n, true
	}
	return body, nil
}

// Event passes one event on, reading its chunk.
func (r *Reader) Event(dst, event []byte) ([]byte, error) {
	r.passed = false
	r.relay.Counted = true
	data, ok := sse.Data(event, nil) // in place, but for rare multi-line data
	if !ok || len(data) == 0 || data[0] != '{' {
		return append(dst, event...), nil // [DONE], comments, other fields
	}
	if !oai.ReadChunk(data, &r.chunk) {
		r.decoded(data)
		return append(dst, event...), nil
	}
	c := &r.chunk
	if c.HasUsage {
		r.relay.Usage, r.relay.Reported = c.Usage, true
	}
	switch {
	case c.Choices == 1:
		r.relay.Content += c.Generated()
		if c.Finish != nil && r.relay.Finish == "" {
			r.relay.Finish = string(c.Finish)
		}
	case c.Choices > 1:
		r.decoded(data)
	case r.hideUsage && c.HasUsage && !c.Error:
		return dst, nil // the usage chunk the gateway asked for
	}
	r.passed = true
	return append(dst, event...), nil
}

// decoded reads, by a decode, what the walk could not: a chunk of several
// choices or of an odd shape.
func (r *Reader) decoded(data []byte) {
	var ch struct {
		Choices []struct {
			Delta struct {
				Content   *string `json:"content"`
				ToolCalls []struct {
					Function struct {
						Arguments string `json:"arguments"`
					} `json:"function"`
				} `json:"tool_calls"`
			} `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		} `json:"choices"`
		Usage *oai.Usage `json:"usage"`
	}
	if json.Unmarshal(data, &ch) != nil {
		return
	}
	if ch.Usage != nil {
		r.relay.Usage, r.relay.Reported = *ch.Usage, true
	}
	for _, c := range ch.Choices {
		if c.Delta.Content != nil {
			r.relay.Content += len(*c.Delta.Content)
		}
		for _, tc := range c.Delta.ToolCalls {
			r.relay.Content += len(tc.Function.Arguments)
		}
		if c.FinishReason != nil && r.relay.Finish == "" {
			r.relay.Finish = *c.FinishReason
		}
	}
}

// End accepts the end of the stream as it came: an OpenAI stream that ends
// cleanly has ended, [DONE] or not.
func (r *Reader) End(dst []byte) ([]byte, error) { return dst, nil }

// Relay returns what the answer carried so far.
func (r *Reader) Relay() *providers.Relay { return &r.relay }

// Chunk returns the chunk the last Event read and passed on unchanged, or nil.
func (r *Reader) Chunk() *oai.Chunk {
	if !r.passed {
		return nil
	}
	return &r.chunk
}

// Interface guard.
var _ providers.ChunkReader = (*Reader)(nil)
