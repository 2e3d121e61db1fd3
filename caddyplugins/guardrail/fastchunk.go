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
	hasContent bool
	finished   bool
	// onlyText: the delta holds nothing but content and the choice no
	// logprobs, so that the event says nothing once its text is held back.
	onlyText bool
}

var (
	deltaKey   = []byte(`"delta":`)
	contentKey = []byte(`"content":`)
	finishKey  = []byte(`"finish_reason":`)
	indexKey   = []byte(`"index":`)
	logprobKey = []byte(`"logprobs":`)
)

// parseFastChunk reads data when it has exactly one delta whose content is a
// plain JSON string or null; ok is false otherwise, and the caller decodes.
func parseFastChunk(data []byte) (c fastChunk, ok bool) {
	d := bytes.Index(data, deltaKey)
	if d < 0 || bytes.Count(data, deltaKey) != 1 || bytes.Count(data, finishKey) != 1 || bytes.Count(data, indexKey) != 1 {
		return c, false
	}
	obj := skipSpace(data, d+len(deltaKey))
	if obj >= len(data) || data[obj] != '{' {
		return c, false
	}
	objEnd := skipValue(data, obj)
	if objEnd < 0 {
		return c, false
	}
	delta := data[obj:objEnd]
	if k := bytes.Index(delta, contentKey); k >= 0 && bytes.Count(delta, contentKey) == 1 {
		v := skipSpace(delta, k+len(contentKey))
		e := skipValue(delta, v)
		if e < 0 {
			return c, false
		}
		raw := delta[v:e]
		switch {
		case bytes.Equal(raw, []byte("null")):
		case len(raw) > 0 && raw[0] == '"':
			var ok bool
			if c.content, ok = unquote(raw); !ok {
				return c, false
			}
		default:
			return c, false
		}
		c.start, c.end, c.hasContent = obj+v, obj+e, true
		c.onlyText = isSpace(delta[1:k]) && isSpace(delta[e:len(delta)-1])
	}
	if l := bytes.Index(data, logprobKey); l >= 0 && c.onlyText {
		l = skipSpace(data, l+len(logprobKey))
		c.onlyText = l < len(data) && data[l] == 'n' // null
	}
	f := skipSpace(data, bytes.Index(data, finishKey)+len(finishKey))
	c.finished = f < len(data) && data[f] == '"'
	i := skipSpace(data, bytes.Index(data, indexKey)+len(indexKey))
	j := i
	for j < len(data) && data[j] >= '0' && data[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(data[i:j]))
	if err != nil {
		return c, false
	}
	c.index = n
	return c, true
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
