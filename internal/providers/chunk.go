package providers

import (
	"strconv"
	"unicode/utf8"

	"github.com/aigw/aigw/internal/oai"
)

// ChunkWriter appends chat.completion.chunk events for one stream. The part
// every chunk shares (id, created, model) is encoded once, so a text delta
// costs one append of its escaped text: translated streams stay cheap per chunk.
type ChunkWriter struct {
	prefix    []byte // `data: {"id":...,"model":...,"choices":[`
	generated int
}

// Generated returns the bytes of text and tool-call arguments written so
// far: the content a translated stream carried.
func (c *ChunkWriter) Generated() int { return c.generated }

// NewChunkWriter prepares the shared part of the stream's chunks.
func NewChunkWriter(id, model string, created int64) *ChunkWriter {
	p := make([]byte, 0, 96+len(id)+len(model))
	p = append(p, `data: {"id":`...)
	p = AppendString(p, id)
	p = append(p, `,"object":"chat.completion.chunk","created":`...)
	p = strconv.AppendInt(p, created, 10)
	p = append(p, `,"model":`...)
	p = AppendString(p, model)
	p = append(p, `,"choices":[`...)
	return &ChunkWriter{prefix: p}
}

// Role appends the first chunk, which names the assistant role.
func (c *ChunkWriter) Role(dst []byte) []byte {
	dst = append(dst, c.prefix...)
	return append(dst, `{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`+"\n\n"...)
}

// Text appends a chunk with a content delta.
func (c *ChunkWriter) Text(dst []byte, text string) []byte {
	c.generated += len(text)
	dst = append(dst, c.prefix...)
	dst = append(dst, `{"index":0,"delta":{"content":`...)
	dst = AppendString(dst, text)
	return append(dst, `},"finish_reason":null}]}`+"\n\n"...)
}

// ToolCall appends a chunk with a tool-call delta: the first delta of a call
// carries its id and name, later ones only argument text.
func (c *ChunkWriter) ToolCall(dst []byte, index int, id, name, args string) []byte {
	c.generated += len(args)
	dst = append(dst, c.prefix...)
	dst = append(dst, `{"index":0,"delta":{"tool_calls":[{"index":`...)
	dst = strconv.AppendInt(dst, int64(index), 10)
	if id != "" {
		dst = append(dst, `,"id":`...)
		dst = AppendString(dst, id)
		dst = append(dst, `,"type":"function","function":{"name":`...)
		dst = AppendString(dst, name)
		dst = append(dst, `,"arguments":`...)
	} else {
		dst = append(dst, `,"function":{"arguments":`...)
	}
	dst = AppendString(dst, args)
	return append(dst, `}}]},"finish_reason":null}]}`+"\n\n"...)
}

// Finish appends the chunk that carries the finish reason.
func (c *ChunkWriter) Finish(dst []byte, reason string) []byte {
	dst = append(dst, c.prefix...)
	dst = append(dst, `{"index":0,"delta":{},"finish_reason":`...)
	dst = AppendString(dst, reason)
	return append(dst, `}]}`+"\n\n"...)
}

// Usage appends the last chunk of a stream whose client asked for usage: no
// choices, the usage.
func (c *ChunkWriter) Usage(dst []byte, u oai.Usage) []byte {
	dst = append(dst, c.prefix...)
	dst = append(dst, `],"usage":{"prompt_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.PromptTokens), 10)
	dst = append(dst, `,"completion_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.CompletionTokens), 10)
	dst = append(dst, `,"total_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.PromptTokens+u.CompletionTokens), 10)
	dst = append(dst, `,"prompt_tokens_details":{"cached_tokens":`...)
	cached := 0
	if u.PromptTokensDetails != nil {
		cached = u.PromptTokensDetails.CachedTokens
	}
	dst = strconv.AppendInt(dst, int64(cached), 10)
	return append(dst, `}}}`+"\n\n"...)
}

// Done appends the event that ends an OpenAI stream.
func Done(dst []byte) []byte { return append(dst, oai.SSEDone...) }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as encoding/json does
// (without HTML escaping), invalid UTF-8 replaced by U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
