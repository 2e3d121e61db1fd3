package oai

import (
	"encoding/json"
	"sort"
)

// chatParams are the documented chat completion parameters that
// ChatRequest does not decode, with what each may hold. The decode itself
// types the others (model, messages, stream, stream_options, max_tokens,
// max_completion_tokens, n, user); tools is checked here too. Unknown
// parameters pass: providers have their own.
var chatParams = map[string]*spec{
	"temperature":         {kinds: kNumber | kNull, ranged: true, lo: 0, hi: 2},
	"top_p":               {kinds: kNumber | kNull, ranged: true, lo: 0, hi: 1},
	"frequency_penalty":   {kinds: kNumber | kNull, ranged: true, lo: -2, hi: 2},
	"presence_penalty":    {kinds: kNumber | kNull, ranged: true, lo: -2, hi: 2},
	"seed":                {kinds: kInt | kNull},
	"logprobs":            {kinds: kBool | kNull},
	"top_logprobs":        {kinds: kInt | kNull, ranged: true, lo: 0, hi: 20},
	"logit_bias":          {kinds: kObject | kNull, deep: checkLogitBias},
	"stop":                {kinds: kString | kArray | kNull, elems: kString},
	"response_format":     {kinds: kObject | kNull, deep: checkResponseFormat},
	"tool_choice":         {kinds: kString | kObject | kNull, deep: checkToolChoice, enum: []string{"none", "auto", "required"}},
	"tools":               {kinds: kArray | kNull, deep: checkTools},
	"parallel_tool_calls": {kinds: kBool | kNull},
	"functions":           {kinds: kArray | kNull, deep: checkFunctions},
	"function_call":       {kinds: kString | kObject | kNull, enum: []string{"none", "auto"}},
	"metadata":            {kinds: kObject | kNull, deep: checkMetadata},
	"modalities":          {kinds: kArray | kNull, elems: kString},
	"audio":               {kinds: kObject | kNull},
	"prediction":          {kinds: kObject | kNull},
	"store":               {kinds: kBool | kNull},
	"service_tier":        {kinds: kString | kNull},
	"reasoning_effort":    {kinds: kString | kNull},
	"verbosity":           {kinds: kString | kNull},
	"prompt_cache_key":    {kinds: kString | kNull},
	"safety_identifier":   {kinds: kString | kNull},
	"web_search_options":  {kinds: kObject | kNull},
}

// checkParam checks a top-level member of a chat request that the decode
// does not type, recording the first error in r.
func (r *ChatRequest) checkParam(key, raw []byte) {
	if r.paramErr != nil {
		return
	}
	if s := chatParams[string(key)]; s != nil {
		r.paramErr = s.check(raw, param(string(key)))
	}
}

// checkParamsSlow is checkParam for a body the walk did not read (escaped
// or repeated keys): every top-level member, in key order.
func (r *ChatRequest) checkParamsSlow(body []byte) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.checkParam([]byte(k), m[k])
	}
}

func checkLogitBias(raw []byte, p path) *ParamError {
	return valuesOf(raw, p, kInt, -100, 100, true)
}

func checkMetadata(raw []byte, p path) *ParamError {
	return valuesOf(raw, p, kString, 0, 0, false)
}

func checkResponseFormat(raw []byte, p path) *ParamError {
	o, err := members(raw, p)
	if err != nil {
		return err
	}
	typ, err := o.str("type", p, true)
	if err != nil {
		return err
	}
	switch typ {
	case "text", "json_object":
		return nil
	case "json_schema":
		js, err := o.object("json_schema", p, true)
		if err != nil {
			return err
		}
		_, err = js.str("name", p.key("json_schema"), true)
		return err
	}
	return invalidValue(p.key("type"), typ, []string{"text", "json_object", "json_schema"})
}

func checkToolChoice(raw []byte, p path) *ParamError {
	o, err := members(raw, p)
	if err != nil {
		return err
	}
	typ, err := o.str("type", p, true)
	if err != nil || typ != "function" {
		return err
	}
	fn, err := o.object("function", p, true)
	if err != nil {
		return err
	}
	_, err = fn.str("name", p.key("function"), true)
	return err
}

// checkTools checks tool definitions: each a function (with a name, and
// description, parameters and strict of the right types) or a custom tool.
func checkTools(raw []byte, p path) *ParamError {
	return eachObject(raw, p, func(o *object, p path) *ParamError {
		typ, err := o.str("type", p, true)
		if err != nil {
			return err
		}
		switch typ {
		case "function":
			fn, err := o.object("function", p, true)
			if err != nil {
				return err
			}
			return checkFunction(&fn, p.key("function"))
		case "custom":
			c, err := o.object("custom", p, true)
			if err != nil {
				return err
			}
			_, err = c.str("name", p.key("custom"), true)
			return err
		}
		return invalidValue(p.key("type"), typ, []string{"function", "custom"})
	})
}

func checkFunctions(raw []byte, p path) *ParamError {
	return eachObject(raw, p, checkFunction)
}

// checkFunction checks one function definition.
func checkFunction(fn *object, p path) *ParamError {
	if _, err := fn.strLen("name", p, true); err != nil {
		return err
	}
	if _, err := fn.strLen("description", p, false); err != nil {
		return err
	}
	if raw := fn.raw("parameters"); raw != nil && kindOf(raw)&(kObject|kNull) == 0 {
		return invalidType(p.key("parameters"), kObject, raw)
	}
	if raw := fn.raw("strict"); raw != nil && kindOf(raw)&(kBool|kNull) == 0 {
		return invalidType(p.key("strict"), kBool, raw)
	}
	return nil
}

// checkToolCalls checks an assistant message's tool calls.
func checkToolCalls(raw []byte, p path) *ParamError {
	if kindOf(raw)&(kArray|kNull) == 0 {
		return invalidType(p, kArray, raw)
	}
	if kindOf(raw) == kNull {
		return nil
	}
	return eachObject(raw, p, func(o *object, p path) *ParamError {
		if _, err := o.strLen("id", p, true); err != nil {
			return err
		}
		typ, err := o.str("type", p, true)
		if err != nil {
			return err
		}
		switch typ {
		case "function":
			fn, err := o.object("function", p, true)
			if err != nil {
				return err
			}
			if _, err := fn.strLen("name", p.key("function"), true); err != nil {
				return err
			}
			_, err = fn.strLen("arguments", p.key("function"), true)
			return err
		case "custom":
			_, err := o.object("custom", p, true)
			return err
		}
		return invalidValue(p.key("type"), typ, []string{"function", "custom"})
	})
}

// Validate checks the request as OpenAI would before answering it, so a
// request the provider would refuse is refused without calling it: the
// required parameters, every documented parameter's type and range, each
// message's role, content (parts of known types only, with their fields),
// tool calls and tool call id. The error names the parameter.
func (r *ChatRequest) Validate() *ParamError {
	if r.Model == "" {
		return &ParamError{Param: "model", Code: CodeMissing, Message: "You must provide a model parameter."}
	}
	if r.Messages == nil {
		return missing(param("messages"))
	}
	if len(r.Messages) == 0 {
		return &ParamError{Param: "messages", Code: "empty_array",
			Message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."}
	}
	if r.paramErr != nil {
		return r.paramErr
	}
	for _, l := range []struct {
		name string
		v    *int
		max  float64
	}{{"max_tokens", r.MaxTokens, 1 << 31}, {"max_completion_tokens", r.MaxCompletionTokens, 1 << 31}, {"n", r.N, 128}} {
		if l.v != nil && (*l.v < 1 || float64(*l.v) > l.max) {
			return outOfRange(param(l.name), float64(*l.v), 1, l.max, true)
		}
	}
	for i := range r.Messages {
		if err := r.Messages[i].check(param("messages").index(i)); err != nil {
			return err
		}
	}
	return nil
}

// roles are the message roles OpenAI accepts.
var roles = []string{"system", "developer", "user", "assistant", "tool", "function"}

// check validates one message, at p.
func (m *Message) check(p path) *ParamError {
	if m.Role == "" {
		return missing(p.key("role"))
	}
	if !contains(roles, m.Role) {
		return invalidValue(p.key("role"), m.Role, roles)
	}
	needsContent := m.Role != "assistant" && m.Role != "function"
	if needsContent && (len(m.Content) == 0 || string(m.Content) == "null") {
		if len(m.Content) == 0 {
			return missing(p.key("content"))
		}
		return invalidType(p.key("content"), kString|kArray, m.Content)
	}
	c, err := readContent(m.Content, m.Role, p.key("content"))
	m.text, m.media, m.textErr, m.textDone = c.text, c.media, nil, true
	if err != nil {
		m.textErr = err
		return err
	}
	switch {
	case m.Role == "tool" && m.ToolCallID == "":
		return missing(p.key("tool_call_id"))
	case m.Role == "function" && m.Name == "":
		return missing(p.key("name"))
	}
	if len(m.ToolCalls) > 0 {
		if err := checkToolCalls(m.ToolCalls, p.key("tool_calls")); err != nil {
			return err
		}
	}
	for _, f := range [...]struct {
		name string
		raw  json.RawMessage
		want kind
	}{{"refusal", m.Refusal, kString | kNull}, {"audio", m.Audio, kObject | kNull}, {"function_call", m.FunctionCall, kObject | kNull}} {
		if len(f.raw) > 0 && kindOf(f.raw)&f.want == 0 {
			return invalidType(p.key(f.name), f.want, f.raw)
		}
	}
	return nil
}
