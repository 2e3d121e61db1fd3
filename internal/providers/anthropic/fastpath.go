package anthropic

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

var (
	textDeltaPrefix = []byte(`{"type":"content_block_delta","index":`)
	textDeltaMiddle = []byte(`,"delta":{"type":"text_delta","text":`)
)

// parseTextDelta recognises the event most of a stream is made of, a
// text_delta in Anthropic's own field order, without reflection: it returns
// the block index and the text. Anything else (or any other spelling) reports
// false and takes the general path.
func parseTextDelta(data []byte) (index int, text string, ok bool) {
	rest, found := bytes.CutPrefix(data, textDeltaPrefix)
	if !found {
		return 0, "", false
	}
	end := bytes.IndexByte(rest, ',')
	if end < 1 {
		return 0, "", false
	}
	digits := rest[:end]
	if len(digits) > 1 && digits[0] == '0' || len(digits) > 9 {
		return 0, "", false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, "", false
		}
	}
	index, _ = strconv.Atoi(string(digits))
	rest, found = bytes.CutPrefix(rest[end:], textDeltaMiddle)
	if !found || len(rest) < 4 || rest[0] != '"' {
		return 0, "", false
	}
	quoted, escaped := -1, false
	for i := 1; i < len(rest); i++ {
		if c := rest[i]; c < 0x20 {
			return 0, "", false // invalid in JSON: let the decoder say so
		} else if c == '\\' {
			escaped = true
			i++
		} else if c == '"' {
			quoted = i
			break
		}
	}
	if quoted < 0 || string(rest[quoted+1:]) != "}}" {
		return 0, "", false
	}
	if !escaped && utf8.Valid(rest[1:quoted]) {
		return index, string(rest[1:quoted]), true
	}
	if json.Unmarshal(rest[:quoted+1], &text) != nil {
		return 0, "", false
	}
	return index, text, true
}
