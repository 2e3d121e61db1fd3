package oai

import (
	"bytes"
	"encoding/json"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// Span is where one choice's message content, or the arguments of one of
// its tool calls, lies in a chat.completion body.
type Span struct {
	// Choice is the choice's position in choices.
	Choice int
	// Start and End are the span of the JSON string, quotes included.
	Start, End int
	// Args reports a tool call's arguments, not the content.
	Args bool
}

// AnswerSpans finds the message content of every choice of a
// chat.completion body, and the arguments of its tool calls, in one walk,
// without decoding the rest; a null or absent one has no span. ok is false
// when the body is not a well-formed object of that shape (duplicate keys
// included), and the caller decodes.
func AnswerSpans(body []byte) (spans []Span, ok bool) {
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
			return body[cv] == '{' && choiceSpans(body, cv, n-1, &spans)
		})
	})
	return spans, ok && seen
}

// choiceSpans adds the spans of the choice at body[at]'s message content
// and tool call arguments, in the order they lie in body.
func choiceSpans(body []byte, at, choice int, spans *[]Span) bool {
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
				return addSpan(body, cv, ce, Span{Choice: choice}, spans) // an array: decoded the slow way
			case jsonwalk.KeyIs(key, "tool_calls"):
				if calls {
					return false
				}
				calls = true
				return string(body[cv:ce]) == "null" || body[cv] == '[' && jsonwalk.Elements(body, cv, func(tv, _ int) bool {
					return body[tv] == '{' && toolCallSpan(body, tv, choice, spans)
				})
			}
			return true
		})
	})
}

// toolCallSpan adds the span of the tool call at body[at]'s arguments.
func toolCallSpan(body []byte, at, choice int, spans *[]Span) bool {
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
			return addSpan(body, av, ae, Span{Choice: choice, Args: true}, spans)
		})
	})
}

// addSpan adds the span [v,e) of body as sp when it is a string; null adds
// nothing; anything else is refused.
func addSpan(body []byte, v, e int, sp Span, spans *[]Span) bool {
	switch body[v] {
	case '"':
		sp.Start, sp.End = v, e
		*spans = append(*spans, sp)
		return true
	case 'n':
		return string(body[v:e]) == "null"
	}
	return false
}

// AnswerContent returns the bytes of text a chat.completion body carries
// (every choice's content and tool-call arguments, decoded), and false when
// the body is not one.
func AnswerContent(body []byte) (int, bool) {
	spans, ok := AnswerSpans(body)
	if ok {
		n := 0
		for _, sp := range spans {
			text, ok := jsonwalk.String(body[sp.Start:sp.End])
			if !ok {
				return 0, false
			}
			n += len(text)
		}
		return n, true
	}
	var ans ChatCompletion
	if json.Unmarshal(body, &ans) != nil {
		return 0, false
	}
	n := 0
	for _, c := range ans.Choices {
		if c.Message.Content != nil {
			n += len(*c.Message.Content)
		}
		for _, tc := range c.Message.ToolCalls {
			n += len(tc.Function.Arguments)
		}
	}
	return n, true
}

var usageField = []byte(`"usage":`)

// ReadUsage reads the "usage" object of an OpenAI answer or chunk. It reads
// only that object, found as the last "usage" key (a "usage" inside the
// answer's text is escaped, so it cannot match): decoding a whole answer to
// read three numbers costs more than the rest of a relay.
func ReadUsage(body []byte) (Usage, bool) {
	i := bytes.LastIndex(body, usageField)
	if i < 0 {
		return Usage{}, false
	}
	obj := body[i+len(usageField):]
	start := jsonwalk.SkipSpace(obj, 0)
	if start >= len(obj) || obj[start] != '{' {
		return Usage{}, false // null, or not an object
	}
	var u Usage
	if readUsage(obj, start, &u) {
		return u, true
	}
	end := jsonwalk.ValueEnd(obj, start)
	if end < 0 || json.Unmarshal(obj[start:end], &u) != nil {
		return Usage{}, false
	}
	return u, true
}
