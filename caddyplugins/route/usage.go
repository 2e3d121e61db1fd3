package route

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/jsonwalk"
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
	start := jsonwalk.SkipSpace(obj, 0)
	if start >= len(obj) || obj[start] != '{' {
		return state.Usage{}, false // null, or not an object
	}
	if u, ok := walkUsage(obj, start); ok {
		return u, true
	}
	end := jsonwalk.ValueEnd(obj, start)
	var u oai.Usage
	if end < 0 || json.Unmarshal(obj[start:end], &u) != nil {
		return state.Usage{}, false
	}
	return toState(&u), true
}

// walkUsage reads the usage object at b[at] by walking its bytes; ok is false
// when it is not the plain shape (integers where counts are), and the
// caller decodes it.
func walkUsage(b []byte, at int) (u state.Usage, ok bool) {
	count := func(n *int, raw []byte) bool {
		var err error
		*n, err = strconv.Atoi(string(raw))
		return err == nil
	}
	ok = jsonwalk.Members(b, at, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "prompt_tokens"):
			return count(&u.PromptTokens, b[v:e])
		case jsonwalk.KeyIs(key, "completion_tokens"):
			return count(&u.CompletionTokens, b[v:e])
		case jsonwalk.KeyIs(key, "prompt_tokens_details"):
			if string(b[v:e]) == "null" {
				return true
			}
			return b[v] == '{' && jsonwalk.Members(b, v, func(key []byte, v, e int) bool {
				return !jsonwalk.KeyIs(key, "cached_tokens") || count(&u.CachedTokens, b[v:e])
			})
		case jsonwalk.KeyIs(key, "total_tokens"):
			var total int
			return count(&total, b[v:e])
		}
		return true
	})
	u.Reported = ok
	return u, ok
}

var usageField = []byte(`"usage":`)

func toState(u *oai.Usage) state.Usage {
	s := state.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, Reported: true}
	if u.PromptTokensDetails != nil {
		s.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	return s
}

// sseUsage watches a relayed SSE stream for the event that carries usage (the
// last chunk when stream_options.include_usage is set). It sees whole events
// and looks only for the usage key, so it costs little per chunk.
type sseUsage struct {
	usage state.Usage
	found bool
}

var (
	usageKey     = []byte(`"usage":{`)
	noChoicesKey = []byte(`"choices":[]`)
)

// events reads the usage of the events in b (whole events, as the provider
// sent them) and, with hide, removes the usage-only chunk, in place. It
// returns what is left of b.
func (s *sseUsage) events(b []byte, hide bool) []byte {
	for from := 0; ; {
		i := bytes.Index(b[from:], usageKey)
		if i < 0 {
			return b
		}
		i += from
		start, end := eventAround(b, i)
		for _, line := range bytes.Split(b[start:end], []byte("\n")) {
			s.line(line)
		}
		if hide && bytes.Contains(b[start:end], noChoicesKey) {
			b = append(b[:start], b[end:]...)
			from = start
		} else {
			from = end
		}
	}
}

// eventAround returns the bounds of the event in b that holds offset i: from
// after the blank line before it to after the blank line that ends it (or
// the end of b). Blank lines are "\n" or "\r\n" after a line end.
func eventAround(b []byte, i int) (start, end int) {
	start = i
	for start > 0 {
		j := bytes.LastIndexByte(b[:start], '\n')
		if j < 0 {
			start = 0
			break
		}
		if j == 0 || b[j-1] == '\n' || (b[j-1] == '\r' && (j == 1 || b[j-2] == '\n')) {
			start = j + 1
			break
		}
		start = j
	}
	for end = i; end < len(b); {
		j := bytes.IndexByte(b[end:], '\n')
		if j < 0 {
			return start, len(b)
		}
		end += j + 1
		if end < len(b) && b[end] == '\n' {
			return start, end + 1
		}
		if end+1 < len(b) && b[end] == '\r' && b[end+1] == '\n' {
			return start, end + 2
		}
	}
	return start, len(b)
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
