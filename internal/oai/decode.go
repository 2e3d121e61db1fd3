package oai

import (
	"encoding/json"
	"strconv"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// DecodeChat decodes a chat completion request body into req exactly as
// json.Unmarshal would. The body is checked with jsonwalk.Valid (json.Valid's
// grammar at three times its speed), then read by a
// byte walk, which costs a third of a decode; a body the walk does not read
// (a value of an unexpected type, an escaped or repeated key) goes to
// json.Unmarshal, whose error then says what is wrong. Content, tools and
// tool calls share the body's bytes, which must not change afterwards.
//
// The walk also checks the documented parameters it does not decode
// (chatParams), so that Validate refuses a request the provider would refuse
// without a second pass over the body; a body decoded by json.Unmarshal has
// them checked from a map of its members.
func DecodeChat(body []byte, req *ChatRequest) error {
	if jsonwalk.Valid(body) {
		var fast ChatRequest
		if fast.walk(body) {
			*req = fast
			return nil
		}
	}
	if err := json.Unmarshal(body, req); err != nil {
		return err
	}
	req.checkParamsSlow(body)
	return nil
}

// chatField marks a ChatRequest field, to refuse repeated keys: encoding/json
// merges a repeated object or array into the first, which is not worth
// copying here.
type chatField uint16

const (
	fModel chatField = 1 << iota
	fMessages
	fStream
	fStreamOptions
	fMaxTokens
	fMaxCompletionTokens
	fN
	fTools
	fUser
)

func (r *ChatRequest) walk(data []byte) bool {
	at := jsonwalk.SkipSpace(data, 0)
	if at >= len(data) || data[at] != '{' {
		return false
	}
	var seen chatField
	once := func(f chatField) bool {
		dup := seen&f != 0
		seen |= f
		return !dup
	}
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		raw := data[v:e]
		switch {
		case jsonwalk.KeyIs(key, "model"):
			return once(fModel) && setString(&r.Model, raw)
		case jsonwalk.KeyIs(key, "messages"):
			return once(fMessages) && r.walkMessages(data, v, e)
		case jsonwalk.KeyIs(key, "stream"):
			return once(fStream) && setBool(&r.Stream, raw)
		case jsonwalk.KeyIs(key, "stream_options"):
			return once(fStreamOptions) && r.walkStreamOptions(data, v)
		case jsonwalk.KeyIs(key, "max_tokens"):
			return once(fMaxTokens) && setIntPtr(&r.MaxTokens, raw)
		case jsonwalk.KeyIs(key, "max_completion_tokens"):
			return once(fMaxCompletionTokens) && setIntPtr(&r.MaxCompletionTokens, raw)
		case jsonwalk.KeyIs(key, "n"):
			return once(fN) && setIntPtr(&r.N, raw)
		case jsonwalk.KeyIs(key, "tools"):
			r.Tools = json.RawMessage(raw)
			r.checkParam(key, raw)
			return once(fTools)
		case jsonwalk.KeyIs(key, "user"):
			return once(fUser) && setString(&r.User, raw)
		}
		r.checkParam(key, raw)
		return true
	})
}

func (r *ChatRequest) walkMessages(data []byte, v, e int) bool {
	switch data[v] {
	case 'n':
		r.Messages = nil
		return string(data[v:e]) == "null"
	case '[':
	default:
		return false
	}
	r.Messages = make([]Message, 0, 4)
	return jsonwalk.Elements(data, v, func(mv, me int) bool {
		r.Messages = append(r.Messages, Message{})
		switch data[mv] {
		case 'n':
			return string(data[mv:me]) == "null"
		case '{':
			return r.Messages[len(r.Messages)-1].walk(data, mv)
		}
		return false
	})
}

func (m *Message) walk(data []byte, at int) bool {
	var seen chatField
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		raw := data[v:e]
		var f chatField
		ok := true
		switch {
		case jsonwalk.KeyIs(key, "role"):
			f, ok = 1, setString(&m.Role, raw)
		case jsonwalk.KeyIs(key, "content"):
			f, m.Content = 2, json.RawMessage(raw)
		case jsonwalk.KeyIs(key, "name"):
			f, ok = 4, setString(&m.Name, raw)
		case jsonwalk.KeyIs(key, "tool_call_id"):
			f, ok = 8, setString(&m.ToolCallID, raw)
		case jsonwalk.KeyIs(key, "tool_calls"):
			f, m.ToolCalls = 16, json.RawMessage(raw)
		case jsonwalk.KeyIs(key, "refusal"):
			f, m.Refusal = 32, json.RawMessage(raw)
		case jsonwalk.KeyIs(key, "audio"):
			f, m.Audio = 64, json.RawMessage(raw)
		case jsonwalk.KeyIs(key, "function_call"):
			f, m.FunctionCall = 128, json.RawMessage(raw)
		}
		dup := seen&f != 0
		seen |= f
		return ok && !dup
	})
}

func (r *ChatRequest) walkStreamOptions(data []byte, v int) bool {
	switch data[v] {
	case 'n':
		r.StreamOptions = nil
		return true // jsonwalk.Valid saw the literal: it is null
	case '{':
	default:
		return false
	}
	r.StreamOptions = new(StreamOptions)
	return jsonwalk.Members(data, v, func(key []byte, v, e int) bool {
		if !jsonwalk.KeyIs(key, "include_usage") {
			return true
		}
		return setBool(&r.StreamOptions.IncludeUsage, data[v:e])
	})
}

// setString sets *s from a JSON string; null leaves it as it was.
func setString(s *string, raw []byte) bool {
	switch {
	case raw[0] == 'n':
		return true
	case raw[0] != '"':
		return false
	}
	text, ok := jsonwalk.String(raw)
	*s = string(text)
	return ok
}

// setBool sets *b from a JSON boolean; null leaves it as it was.
func setBool(b *bool, raw []byte) bool {
	switch string(raw) {
	case "true":
		*b = true
	case "false":
		*b = false
	case "null":
	default:
		return false
	}
	return true
}

// setIntPtr sets *p from a JSON integer, or to nil for null. Fractions and
// exponents are left to encoding/json, which refuses them for an int.
func setIntPtr(p **int, raw []byte) bool {
	if raw[0] == 'n' {
		*p = nil
		return true
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || raw[0] == '+' {
		return false
	}
	*p = &n
	return true
}
