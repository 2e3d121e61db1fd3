package route

import (
	"bytes"
	"encoding/json"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/oai"
)

// maxBufferedAnswer bounds how much of a non-streamed answer is held to read
// its usage; a larger answer is passed on as it comes and its usage is left
// unreported.
const maxBufferedAnswer = 32 << 20

// usageFromBody reads the "usage" object of a non-streamed OpenAI answer.
func usageFromBody(body []byte) (state.Usage, bool) {
	var v struct {
		Usage *oai.Usage `json:"usage"`
	}
	if json.Unmarshal(body, &v) != nil || v.Usage == nil {
		return state.Usage{}, false
	}
	return toState(v.Usage), true
}

func toState(u *oai.Usage) state.Usage {
	s := state.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, Reported: true}
	if u.PromptTokensDetails != nil {
		s.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	return s
}

// sseUsage watches a relayed SSE stream for the event that carries usage (the
// last chunk when stream_options.include_usage is set). It keeps only the
// unfinished last line between writes, so it costs little per chunk.
type sseUsage struct {
	partial []byte
	usage   state.Usage
	found   bool
}

var usageKey = []byte(`"usage":{`)

// observe consumes the next bytes of the stream.
func (s *sseUsage) observe(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(s.partial)+len(p) <= maxBufferedAnswer {
				s.partial = append(s.partial, p...)
			}
			return
		}
		line := p[:i]
		if len(s.partial) > 0 {
			line = append(s.partial, line...)
			s.partial = s.partial[:0]
		}
		s.line(line)
		p = p[i+1:]
	}
}

func (s *sseUsage) line(line []byte) {
	data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data:"))
	if !ok || !bytes.Contains(data, usageKey) {
		return
	}
	if u, ok := usageFromBody(bytes.TrimSpace(data)); ok {
		s.usage, s.found = u, true
	}
}
