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

// usageFromBody reads the "usage" object of an OpenAI answer or chunk. It
// decodes only that object, found as the last "usage" key (a "usage" inside
// the answer's text is escaped, so it cannot match): decoding a whole answer
// to read three numbers cost more than the rest of the relay.
func usageFromBody(body []byte) (state.Usage, bool) {
	i := bytes.LastIndex(body, usageField)
	if i < 0 {
		return state.Usage{}, false
	}
	obj := body[i+len(usageField):]
	obj = obj[:objectEnd(obj)]
	var u oai.Usage
	if len(obj) == 0 || json.Unmarshal(obj, &u) != nil {
		return state.Usage{}, false
	}
	return toState(&u), true
}

var usageField = []byte(`"usage":`)

// objectEnd returns the length of the JSON object at the start of b (after
// spaces), or 0 when b does not start with a complete object.
func objectEnd(b []byte) int {
	depth, inString := 0, false
	for j := 0; j < len(b); j++ {
		c := b[j]
		switch {
		case inString && c == '\\':
			j++
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return j + 1
			}
		case depth == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			return 0 // null, or not an object
		}
	}
	return 0
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
