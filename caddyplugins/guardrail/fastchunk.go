package guardrail

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// fastChunk is the content of a one-choice chat.completion.chunk located by a
// byte scan instead of a full decode: the common case of a stream, where a
// decode and re-encode would cost more than the guardrail itself.
type fastChunk struct {
	index      int
	content    string
	start, end int // byte span of the content value (string or null) in the event data
	hasContent bool
	finished   bool
}

var (
	deltaKey   = []byte(`"delta":`)
	contentKey = []byte(`"content":`)
	finishKey  = []byte(`"finish_reason":`)
	indexKey   = []byte(`"index":`)
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
			if json.Unmarshal(raw, &c.content) != nil {
				return c, false
			}
		default:
			return c, false
		}
		c.start, c.end, c.hasContent = obj+v, obj+e, true
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
