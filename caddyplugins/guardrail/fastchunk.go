package guardrail

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/aigw/aigw/internal/jsonwalk"
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
	// args are the tool call arguments the delta carries.
	args []argSpan
}

// argSpan is a piece of one tool call's arguments in a chunk.
type argSpan struct {
	tool       int    // the call's index
	text       []byte // decoded; may alias the event data
	start, end int    // byte span of the string in the event data
}

// parseFastChunk reads data when its choices array holds exactly one choice,
// with an index, a finish_reason and a delta whose content, if any, is a JSON
// string or null; ok is false otherwise, and the caller decodes. It walks the
// chunk's members once, without decoding anything but the content.
func parseFastChunk(data []byte) (c fastChunk, ok bool) {
	at := jsonwalk.SkipSpace(data, 0)
	if at >= len(data) || data[at] != '{' {
		return c, false
	}
	arr := -1
	if !jsonwalk.Members(data, at, func(key []byte, v, _ int) bool {
		if !jsonwalk.KeyIs(key, "choices") {
			return true
		}
		ok := arr < 0 && data[v] == '['
		arr = v
		return ok
	}) || arr < 0 {
		return c, false
	}
	obj := jsonwalk.SkipSpace(data, arr+1)
	objEnd := jsonwalk.ValueEnd(data, obj)
	if objEnd < 0 || data[obj] != '{' {
		return c, false
	}
	if after := jsonwalk.SkipSpace(data, objEnd); after >= len(data) || data[after] != ']' {
		return c, false // more than one choice
	}
	var hasIndex, hasFinish, hasDelta, logprobs bool
	ok = jsonwalk.Members(data, obj, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "index"):
			n, err := strconv.Atoi(string(data[v:e]))
			c.index, hasIndex = n, err == nil && !hasIndex
			return hasIndex
		case jsonwalk.KeyIs(key, "finish_reason"):
			c.finished, hasFinish = data[v] == '"', !hasFinish
			return hasFinish
		case jsonwalk.KeyIs(key, "logprobs"):
			logprobs = data[v] != 'n' // anything but null
		case jsonwalk.KeyIs(key, "delta"):
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
	others, calls := false, false
	ok := jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		if jsonwalk.KeyIs(key, "tool_calls") {
			others = true
			if calls {
				return false
			}
			calls = true
			return string(data[v:e]) == "null" || data[v] == '[' && jsonwalk.Elements(data, v, func(tv, _ int) bool {
				return data[tv] == '{' && c.readCall(data, tv)
			})
		}
		if !jsonwalk.KeyIs(key, "content") {
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

// readCall reads one tool call delta at data[at]: its index, and its piece
// of arguments if it carries one.
func (c *fastChunk) readCall(data []byte, at int) bool {
	a := argSpan{tool: -1}
	hasIndex, fn := false, false
	ok := jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "index"):
			n, err := strconv.Atoi(string(data[v:e]))
			a.tool, hasIndex = n, err == nil && n >= 0 && !hasIndex
			return hasIndex
		case jsonwalk.KeyIs(key, "function"):
			if fn || data[v] != '{' {
				return fn == false && string(data[v:e]) == "null"
			}
			fn = true
			args := false
			return jsonwalk.Members(data, v, func(key []byte, av, ae int) bool {
				if !jsonwalk.KeyIs(key, "arguments") {
					return true
				}
				if args {
					return false
				}
				args = true
				raw := data[av:ae]
				if string(raw) == "null" {
					return true
				}
				var ok bool
				a.text, ok = unquote(raw)
				a.start, a.end = av, ae
				return ok && raw[0] == '"'
			})
		}
		return true
	})
	if !ok || !hasIndex {
		return false
	}
	if a.end > 0 {
		c.args = append(c.args, a)
	}
	return true
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

// contentSpan is where one choice's message content, or the arguments of
// one of its tool calls, lies in a chat.completion.
type contentSpan struct {
	choice     int  // position in choices
	start, end int  // the JSON string, quotes included
	args       bool // a tool call's arguments, not the content
}

// answerContents finds the message content of every choice of a
// chat.completion body, and the arguments of its tool calls, in one walk,
// without decoding the rest; a null or absent one has no span. ok is false
// when the body is not a well-formed object of that shape (duplicate keys
// included), and the caller decodes.
func answerContents(body []byte) (spans []contentSpan, ok bool) {
	at := jsonwalk.SkipSpace(body, 0)
	if at >= len(body) || body[at] != '{' {
		return nil, false
	}
	seen := false
	ok = jsonwalk.Members(body, at, func(key []byte, v, e int) bool {
		if !jsonwalk.KeyIs(key, "choices") {
			return true
		}
		if seen || body[v] != '[' {
			return false
		}
		seen = true
		n := 0
		return jsonwalk.Elements(body, v, func(cv, _ int) bool {
			n++
			return body[cv] == '{' && choiceContent(body, cv, n-1, &spans)
		})
	})
	return spans, ok && seen
}

// choiceContent adds the spans of the choice at body[at]'s message content
// and tool call arguments, in the order they lie in body.
func choiceContent(body []byte, at, choice int, spans *[]contentSpan) bool {
	seen := false
	return jsonwalk.Members(body, at, func(key []byte, v, e int) bool {
		if !jsonwalk.KeyIs(key, "message") {
			return true
		}
		if seen || body[v] != '{' {
			return false
		}
		seen = true
		content, calls := false, false
		return jsonwalk.Members(body, v, func(key []byte, cv, ce int) bool {
			switch {
			case jsonwalk.KeyIs(key, "content"):
				if content {
					return false
				}
				content = true
				return addString(body, cv, ce, contentSpan{choice: choice}, spans) // an array: decoded the slow way
			case jsonwalk.KeyIs(key, "tool_calls"):
				if calls {
					return false
				}
				calls = true
				return string(body[cv:ce]) == "null" || body[cv] == '[' && jsonwalk.Elements(body, cv, func(tv, _ int) bool {
					return body[tv] == '{' && toolCallArguments(body, tv, choice, spans)
				})
			}
			return true
		})
	})
}

// toolCallArguments adds the span of the tool call at body[at]'s arguments.
func toolCallArguments(body []byte, at, choice int, spans *[]contentSpan) bool {
	fn := false
	return jsonwalk.Members(body, at, func(key []byte, v, e int) bool {
		if !jsonwalk.KeyIs(key, "function") {
			return true
		}
		if fn || body[v] != '{' {
			return false
		}
		fn = true
		args := false
		return jsonwalk.Members(body, v, func(key []byte, av, ae int) bool {
			if !jsonwalk.KeyIs(key, "arguments") {
				return true
			}
			if args {
				return false
			}
			args = true
			return addString(body, av, ae, contentSpan{choice: choice, args: true}, spans)
		})
	})
}

// addString adds the span [v,e) of body as sp when it is a string; null adds
// nothing; anything else is refused.
func addString(body []byte, v, e int, sp contentSpan, spans *[]contentSpan) bool {
	switch body[v] {
	case '"':
		sp.start, sp.end = v, e
		*spans = append(*spans, sp)
		return true
	case 'n':
		return string(body[v:e]) == "null"
	}
	return false
}
