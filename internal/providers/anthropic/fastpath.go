package anthropic

import (
	"bytes"
	"strconv"

	"github.com/aigw/aigw/internal/jsonwalk"
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
	if !found || len(rest) < 4 {
		return 0, "", false
	}
	end = jsonwalk.ValueEnd(rest, 0)
	if end < 0 || string(rest[end:]) != "}}" {
		return 0, "", false
	}
	raw, ok := jsonwalk.String(rest[:end])
	if !ok {
		return 0, "", false // not a string, or a bad one: the decoder says what is wrong
	}
	return index, string(raw), true
}
