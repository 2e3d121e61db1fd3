package guardrail

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/aigw/aigw/internal/oai"
)

// fastChunk is the content of a one-choice chat.completion.chunk located by a
// byte scan instead of a full decode: the common case of a stream, where a
// decode and re-encode would cost more than the guardrail itself.
type fastChunk struct {
	index      int
	content    []byte // decoded; may alias the event data
	start, end int    // byte span of the content value (string or null) in the event data
	delta      int    // offset of the delta object's '{' in the event data
	hasContent bool
	finished   bool
	// onlyText: the delta holds nothing but content and the choice no
	// logprobs, so that the event says nothing once its text is held back.
	onlyText bool
}

// parseFastChunk reads data when its choices array holds exactly one choice,
// with an index, a finish_reason and a delta whose content, if any, is a JSON
// string or null; ok is false otherwise, and the caller decodes. It walks the
// chunk's members once, without decoding anything but the content.
func parseFastChunk(data []byte) (c fastChunk, ok bool) {
	at := skipSpace(data, 0)
	if at >= len(data) || data[at] != '{' {
		return c, false
	}
	arr := -1
	if !members(data, at, func(key []byte, v, _ int) bool {
		if !keyIs(key, "choices") {
			return true
		}
		ok := arr < 0 && data[v] == '['
		arr = v
		return ok
	}) || arr < 0 {
		return c, false
	}
	obj := skipSpace(data, arr+1)
	objEnd := skipValue(data, obj)
	if objEnd < 0 || data[obj] != '{' {
		return c, false
	}
	if after := skipSpace(data, objEnd); after >= len(data) || data[after] != ']' {
		return c, false // more than one choice
	}
	var hasIndex, hasFinish, hasDelta, logprobs bool
	ok = members(data, obj, func(key []byte, v, e int) bool {
		switch {
		case keyIs(key, "index"):
			n, err := strconv.Atoi(string(data[v:e]))
			c.index, hasIndex = n, err == nil && !hasIndex
			return hasIndex
		case keyIs(key, "finish_reason"):
			c.finished, hasFinish = data[v] == '"', !hasFinish
			return hasFinish
		case keyIs(key, "logprobs"):
			logprobs = data[v] != 'n' // anything but null
		case keyIs(key, "delta"):
			if hasDelta || data[v] != '{' {
				return false
			}
			hasDelta, c.delta = true, v
			return c.readDelta(data, v)
		}
		return true
	})
	c.onlyText = c.onlyText && !logprobs
	return c, ok && hasIndex && hasFinish && hasDelta
}

// readDelta reads the delta object at data[at].
func (c *fastChunk) readDelta(data []byte, at int) bool {
	others := false
	ok := members(data, at, func(key []byte, v, e int) bool {
		if !keyIs(key, "content") {
			others = true
			return true
		}
		if c.hasContent {
			return false
		}
		raw := data[v:e]
		switch {
		case bytes.Equal(raw, []byte("null")):
		case raw[0] == '"':
			var ok bool
			if c.content, ok = unquote(raw); !ok {
				return false
			}
		default:
			return false
		}
		c.start, c.end, c.hasContent = v, e, true
		return true
	})
	c.onlyText = c.hasContent && !others
	return ok
}

// members calls fn with each key of the JSON object at data[at] and the span
// [v,e) of its value, until fn returns false. It reports whether the object
// was well formed, without escaped keys, and fn never refused. Callers match
// keys with keyIs, case-insensitively as encoding/json (and so Go clients)
// does: a "Content" key must not carry text past the screen.
func members(data []byte, at int, fn func(key []byte, v, e int) bool) bool {
	i := skipSpace(data, at+1)
	if i < len(data) && data[i] == '}' {
		return true
	}
	for i < len(data) && data[i] == '"' {
		k := skipValue(data, i)
		if k < 0 {
			return false
		}
		key := data[i+1 : k-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false // an escaped key: only a decoder reads it right
		}
		v := skipSpace(data, k)
		if v >= len(data) || data[v] != ':' {
			return false
		}
		v = skipSpace(data, v+1)
		e := skipValue(data, v)
		if e <= v || !fn(key, v, e) {
			return false
		}
		i = skipSpace(data, e)
		if i < len(data) && data[i] == '}' {
			return true
		}
		if i >= len(data) || data[i] != ',' {
			return false
		}
		i = skipSpace(data, i+1)
	}
	return false
}

// unquote decodes a JSON string: in place when it needs no decoding (nearly
// every streamed token), else by encoding/json.
func unquote(raw []byte) ([]byte, bool) {
	if plain, ok := oai.PlainString(raw); ok {
		return plain, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// keyIs reports whether key names the field name, as encoding/json matches it.
func keyIs(key []byte, name string) bool { return bytes.EqualFold(key, []byte(name)) }

func isSpace(b []byte) bool { return skipSpace(b, 0) == len(b) }

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i, or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := skipValue(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' {
		j++
	}
	return j
}

// contentSpan is where one choice's message content lies in a chat.completion.
type contentSpan struct {
	choice     int // position in choices
	start, end int // the JSON string, quotes included
}

// answerContents finds the message content of every choice of a
// chat.completion body in one walk, without decoding the rest; a null or
// absent content has no span. ok is false when the body is not a well-formed
// object of that shape (duplicate keys included), and the caller decodes.
func answerContents(body []byte) (spans []contentSpan, ok bool) {
	at := skipSpace(body, 0)
	if at >= len(body) || body[at] != '{' {
		return nil, false
	}
	seen := false
	ok = members(body, at, func(key []byte, v, e int) bool {
		if !keyIs(key, "choices") {
			return true
		}
		if seen || body[v] != '[' {
			return false
		}
		seen = true
		n := 0
		return elements(body, v, func(cv, _ int) bool {
			n++
			return body[cv] == '{' && choiceContent(body, cv, n-1, &spans)
		})
	})
	return spans, ok && seen
}

// choiceContent adds the span of the choice at body[at]'s message content.
func choiceContent(body []byte, at, choice int, spans *[]contentSpan) bool {
	seen := false
	return members(body, at, func(key []byte, v, e int) bool {
		if !keyIs(key, "message") {
			return true
		}
		if seen || body[v] != '{' {
			return false
		}
		seen = true
		content := false
		return members(body, v, func(key []byte, cv, ce int) bool {
			if !keyIs(key, "content") {
				return true
			}
			if content {
				return false
			}
			content = true
			switch body[cv] {
			case '"':
				*spans = append(*spans, contentSpan{choice, cv, ce})
				return true
			case 'n':
				return true
			}
			return false // a content array: decoded the slow way
		})
	})
}

// elements calls fn with the span of each value of the JSON array at
// data[at], until fn returns false; it reports whether the array was well
// formed and fn never refused.
func elements(data []byte, at int, fn func(v, e int) bool) bool {
	i := skipSpace(data, at+1)
	if i < len(data) && data[i] == ']' {
		return true
	}
	for i < len(data) {
		e := skipValue(data, i)
		if e <= i || !fn(i, e) {
			return false
		}
		i = skipSpace(data, e)
		if i < len(data) && data[i] == ']' {
			return true
		}
		if i >= len(data) || data[i] != ',' {
			return false
		}
		i = skipSpace(data, i+1)
	}
	return false
}
