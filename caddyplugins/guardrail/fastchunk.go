package guardrail

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// fastChunk is the content of a one-choice chat.completion.chunk located by a
// byte scan instead of a full decode: the common case of a stream, where a
// decode and re-encode would cost more than the guardrail itself.
type fastChunk struct {
	index      int
	content    []byte // decoded; may alias the event data
	start, end int    // byte span of the content value (string or null) in the event data
	delta      int // offset of the delta object's '{' in the event data
	hasContent bool
	finished   bool
	// onlyText: the delta holds nothing but content and the choice no
	// logprobs, so that the event says nothing once its text is held back.
	onlyText bool
}

var choicesKey = []byte(`"choices":`)

// parseFastChunk reads data when its choices array holds exactly one choice,
// with an index, a finish_reason and a delta whose content, if any, is a JSON
// string or null; ok is false otherwise, and the caller decodes. It walks the
// choice's members once, without decoding anything but the content.
func parseFastChunk(data []byte) (c fastChunk, ok bool) {
	ch := bytes.Index(data, choicesKey)
	if ch < 0 {
		return c, false
	}
	arr := skipSpace(data, ch+len(choicesKey))
	if arr >= len(data) || data[arr] != '[' {
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
		switch string(key) {
		case "index":
			n, err := strconv.Atoi(string(data[v:e]))
			c.index, hasIndex = n, err == nil && !hasIndex
			return hasIndex
		case "finish_reason":
			c.finished, hasFinish = data[v] == '"', !hasFinish
			return hasFinish
		case "logprobs":
			logprobs = data[v] != 'n' // anything but null
		case "delta":
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
		if string(key) != "content" {
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
// was well formed and fn never refused.
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

// unquote decodes a JSON string. One without escapes or control characters,
// in valid UTF-8 (nearly every streamed token), is returned as it stands, in
// place; others are decoded by encoding/json.
func unquote(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[len(raw)-1] != '"' {
		return nil, false
	}
	in := raw[1 : len(raw)-1]
	plain := bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in)
	for i := 0; plain && i < len(in); i++ {
		plain = in[i] >= 0x20
	}
	if plain {
		return in, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

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
