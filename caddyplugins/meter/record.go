package meter

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/usage"
)

// statusClientClosed is recorded when the client went away before any
// answer was written (nginx's convention).
const statusClientClosed = 499

// bytesPerToken is the heuristic used to bill streamed content when the
// provider never reported usage (a stream cut short): about four bytes of
// English text per token, OpenAI's rule of thumb. It tends to under-count
// non-Latin scripts, which is why a provider's own count always wins.
const bytesPerToken = 4

// outcome is what the meter observed about one request, besides the state.
type outcome struct {
	status   int
	endpoint string
	end      time.Time
	// streamed is the content the client was sent in SSE delta.content
	// fields, in bytes (streams only).
	streamed int
	// promptBytes is the request body's size, for a fallback prompt estimate.
	promptBytes int
}

// tokens returns the prompt, cached and completion tokens to bill and whether
// they were counted by the gateway rather than reported by the provider.
func tokens(st *state.Request, o *outcome) (prompt, cached, completion int, counted bool) {
	if st.Usage.Reported {
		return st.Usage.PromptTokens, st.Usage.CachedTokens, st.Usage.CompletionTokens, false
	}
	if st.Model == nil || st.Attempts == 0 {
		return 0, 0, 0, false // never reached a provider: nothing generated
	}
	prompt = st.EstPromptTokens
	if prompt == 0 {
		prompt = ceilDiv(o.promptBytes, bytesPerToken)
	}
	if st.Stream {
		completion = ceilDiv(o.streamed, bytesPerToken)
	} else if o.status < 400 {
		completion = st.EstCompletionTokens
	}
	return prompt, 0, completion, true
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// cost prices the billed tokens at the resolved model's prices.
func cost(st *state.Request, prompt, cached, completion int) money.Pico {
	if st.Model == nil {
		return 0
	}
	return st.Model.Cost(int64(prompt), int64(cached), int64(completion))
}

// buildRecord turns the request's state and what the meter saw into a usage row.
func buildRecord(st *state.Request, o *outcome, prompt, cached, completion int, c money.Pico) usage.Record {
	rec := usage.Record{
		RequestID: st.ID, CreatedAt: st.Start.UTC(), Endpoint: o.endpoint,
		RequestedModel: st.RequestedModel, Provider: st.Provider, Deployment: st.Deployment,
		PromptTokens: prompt, CompletionTokens: completion, CachedTokens: cached,
		EstPromptTokens: st.EstPromptTokens, EstCompletionTokens: st.EstCompletionTokens,
		Cost: c, LatencyMS: int(o.end.Sub(st.Start).Milliseconds()), TTFTMS: -1,
		Status: o.status, ErrorCode: st.ErrorCode, GuardrailAction: st.GuardrailAction,
		Stream: st.Stream, Attempts: st.Attempts,
	}
	if st.Key != nil {
		rec.TenantID, rec.UserID, rec.APIKeyID = st.Key.TenantID, st.Key.UserID, st.Key.ID
	}
	if st.Model != nil {
		rec.Model = st.Model.ID
	}
	if !st.FirstByte.IsZero() {
		rec.TTFTMS = int(st.FirstByte.Sub(st.Start).Milliseconds())
	}
	return rec
}

// endpointOf maps a request path to its endpoint, /api aliases folded in.
func endpointOf(path string) string {
	return strings.TrimPrefix(path, "/api")
}

// sseCounter counts the bytes of choices[].delta.content in a relayed SSE
// stream. It keeps only the unfinished last line between writes.
type sseCounter struct {
	partial []byte
	content int
}

// maxSSELine bounds the unfinished line kept between writes; a longer line
// is not an event the counter needs.
const maxSSELine = 1 << 20

var deltaKey = []byte(`"delta"`)

func (c *sseCounter) observe(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(c.partial)+len(p) <= maxSSELine {
				c.partial = append(c.partial, p...)
			}
			return
		}
		line := p[:i]
		if len(c.partial) > 0 {
			line = append(c.partial, line...)
			c.partial = c.partial[:0]
		}
		c.line(line)
		p = p[i+1:]
	}
}

func (c *sseCounter) line(line []byte) {
	data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data:"))
	if !ok || !bytes.Contains(data, deltaKey) {
		return
	}
	// A byte scan, not a decode of the chunk: this runs for every streamed
	// chunk and the count only matters when the provider's usage never
	// arrives. A "content" key inside a string is escaped, so it cannot match.
	for {
		i := bytes.Index(data, contentKey)
		if i < 0 {
			return
		}
		data = data[i+len(contentKey):]
		n := rawStringLen(data)
		c.content += decodedLen(data[:n])
		data = data[n:]
	}
}

var contentKey = []byte(`"content":"`)

// decodedLen is the length of a JSON string body once unescaped; only a body
// with escapes is decoded.
func decodedLen(raw []byte) int {
	if bytes.IndexByte(raw, '\\') < 0 {
		return len(raw)
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) != nil {
		return len(raw)
	}
	return len(s)
}

// rawStringLen returns the bytes of a JSON string body up to its closing
// quote (or to the end of b when it has none).
func rawStringLen(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(b)
}

// usd formats p as US dollars with twelve decimals, as money.Pico.String
// does, without big-number arithmetic: it runs for every request.
func usd(p money.Pico) string {
	if p < 0 {
		return p.String()
	}
	var b [32]byte
	out := strconv.AppendInt(b[:0], int64(p)/1_000_000_000_000, 10)
	out = append(out, '.')
	frac := int64(p) % 1_000_000_000_000
	var f [12]byte
	for i := 11; i >= 0; i-- {
		f[i] = byte('0' + frac%10)
		frac /= 10
	}
	return string(append(out, f[:]...))
}
