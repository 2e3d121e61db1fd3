package oai

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkChat runs what the request state runs on a chat body: the encoding
// check, the decode (its type errors named) and Validate.
func checkChat(body string) *ParamError {
	b := []byte(body)
	if pe := CheckEncoding(b); pe != nil {
		return pe
	}
	var r ChatRequest
	if err := DecodeChat(b, &r); err != nil {
		if pe := TypeError(err); pe != nil {
			return pe
		}
		return &ParamError{Code: "invalid_json", Message: err.Error()}
	}
	return r.Validate()
}

func chatWith(extra string) string {
	return `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]` + extra + `}`
}

func userParts(parts string) string {
	return `{"model":"gpt-4o","messages":[{"role":"user","content":[` + parts + `]}]}`
}

// TestValidateRefusesWhatOpenAIRefuses is #16's list and every other
// documented parameter: each body names its parameter and OpenAI's code.
func TestValidateRefusesWhatOpenAIRefuses(t *testing.T) {
	tests := []struct {
		name, body, param, code, msg string
	}{
		{"temperature hot", chatWith(`,"temperature":"hot"`), "temperature", CodeInvalidType, "Invalid type for 'temperature': expected a decimal, but got a string instead."},
		{"temperature too high", chatWith(`,"temperature":2.5`), "temperature", "decimal_above_max_value", "Expected a value <= 2, but got 2.5 instead."},
		{"top_p negative", chatWith(`,"top_p":-0.1`), "top_p", "decimal_below_min_value", ""},
		{"frequency_penalty", chatWith(`,"frequency_penalty":true`), "frequency_penalty", CodeInvalidType, "but got a boolean instead"},
		{"presence_penalty", chatWith(`,"presence_penalty":3`), "presence_penalty", "decimal_above_max_value", ""},
		{"seed decimal", chatWith(`,"seed":1.5`), "seed", CodeInvalidType, "expected an integer, but got a decimal instead"},
		{"logprobs", chatWith(`,"logprobs":"yes"`), "logprobs", CodeInvalidType, "expected a boolean"},
		{"top_logprobs", chatWith(`,"top_logprobs":21`), "top_logprobs", "integer_above_max_value", ""},
		{"logit_bias value", chatWith(`,"logit_bias":{"50256":-101}`), "logit_bias.50256", "integer_below_min_value", ""},
		{"logit_bias type", chatWith(`,"logit_bias":[1]`), "logit_bias", CodeInvalidType, ""},
		{"stop number", chatWith(`,"stop":5`), "stop", CodeInvalidType, "expected one of a string or an array"},
		{"stop element", chatWith(`,"stop":["a",1]`), "stop[1]", CodeInvalidType, ""},
		{"tools string", chatWith(`,"tools":"x"`), "tools", CodeInvalidType, "Invalid type for 'tools': expected an array, but got a string instead."},
		{"tools element", chatWith(`,"tools":[5]`), "tools[0]", CodeInvalidType, ""},
		{"tool type", chatWith(`,"tools":[{"type":"fn","function":{"name":"f"}}]`), "tools[0].type", CodeInvalidValue, "Supported values are: 'function' and 'custom'."},
		{"tool without name", chatWith(`,"tools":[{"type":"function","function":{"description":"d"}}]`), "tools[0].function.name", CodeMissing, ""},
		{"tool parameters", chatWith(`,"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]`), "tools[0].function.parameters", CodeInvalidType, ""},
		{"tool_choice value", chatWith(`,"tool_choice":"sometimes"`), "tool_choice", CodeInvalidValue, ""},
		{"tool_choice function", chatWith(`,"tool_choice":{"type":"function"}`), "tool_choice.function", CodeMissing, ""},
		{"parallel_tool_calls", chatWith(`,"parallel_tool_calls":1`), "parallel_tool_calls", CodeInvalidType, ""},
		{"response_format type", chatWith(`,"response_format":{"type":"yaml"}`), "response_format.type", CodeInvalidValue, ""},
		{"response_format schema", chatWith(`,"response_format":{"type":"json_schema"}`), "response_format.json_schema", CodeMissing, ""},
		{"response_format string", chatWith(`,"response_format":"json"`), "response_format", CodeInvalidType, ""},
		{"functions", chatWith(`,"functions":[{"description":"x"}]`), "functions[0].name", CodeMissing, ""},
		{"function_call", chatWith(`,"function_call":"always"`), "function_call", CodeInvalidValue, ""},
		{"metadata value", chatWith(`,"metadata":{"k":1}`), "metadata.k", CodeInvalidType, ""},
		{"modalities", chatWith(`,"modalities":"text"`), "modalities", CodeInvalidType, ""},
		{"audio", chatWith(`,"audio":"alloy"`), "audio", CodeInvalidType, ""},
		{"prediction", chatWith(`,"prediction":1`), "prediction", CodeInvalidType, ""},
		{"store", chatWith(`,"store":"no"`), "store", CodeInvalidType, ""},
		{"service_tier", chatWith(`,"service_tier":1`), "service_tier", CodeInvalidType, ""},
		{"reasoning_effort", chatWith(`,"reasoning_effort":{}`), "reasoning_effort", CodeInvalidType, ""},
		{"verbosity", chatWith(`,"verbosity":[]`), "verbosity", CodeInvalidType, ""},
		{"prompt_cache_key", chatWith(`,"prompt_cache_key":5`), "prompt_cache_key", CodeInvalidType, ""},
		{"safety_identifier", chatWith(`,"safety_identifier":false`), "safety_identifier", CodeInvalidType, ""},
		{"web_search_options", chatWith(`,"web_search_options":"on"`), "web_search_options", CodeInvalidType, ""},
		{"stream string", chatWith(`,"stream":"yes"`), "stream", CodeInvalidType, "expected a boolean, but got a string instead"},
		{"max_tokens decimal", chatWith(`,"max_tokens":1.5`), "max_tokens", CodeInvalidType, "expected an integer, but got a decimal instead"},
		{"max_tokens zero", chatWith(`,"max_tokens":0`), "max_tokens", "integer_below_min_value", ""},
		{"n too many", chatWith(`,"n":129`), "n", "integer_above_max_value", ""},
		{"user number", chatWith(`,"user":5`), "user", CodeInvalidType, ""},
		{"stream_options", chatWith(`,"stream_options":{"include_usage":"yes"}`), "stream_options.include_usage", CodeInvalidType, ""},
		{"model missing", `{"messages":[{"role":"user","content":"hi"}]}`, "model", CodeMissing, ""},
		{"model number", `{"model":4,"messages":[{"role":"user","content":"hi"}]}`, "model", CodeInvalidType, ""},
		{"messages missing", `{"model":"m"}`, "messages", CodeMissing, ""},
		{"messages empty", `{"model":"m","messages":[]}`, "messages", "empty_array", ""},
		{"messages string", `{"model":"m","messages":"hi"}`, "messages", CodeInvalidType, ""},
		{"role missing", `{"model":"m","messages":[{"content":"hi"}]}`, "messages[0].role", CodeMissing, ""},
		{"role unknown", `{"model":"m","messages":[{"role":"robot","content":"hi"}]}`, "messages[0].role", CodeInvalidValue, ""},
		{"content missing", `{"model":"m","messages":[{"role":"user"}]}`, "messages[0].content", CodeMissing, ""},
		{"content null", `{"model":"m","messages":[{"role":"system","content":null}]}`, "messages[0].content", CodeInvalidType, ""},
		{"content number", `{"model":"m","messages":[{"role":"user","content":5}]}`, "messages[0].content", CodeInvalidType, ""},
		{"content empty array", userParts(``), "messages[0].content", "empty_array", ""},
		{"unknown part type", userParts(`{"type":"video","video":{}}`), "messages[0].content[0].type", CodeInvalidValue,
			"Invalid value for 'messages[0].content[0].type': 'video'. Supported values are: 'text', 'image_url', 'input_audio' and 'file'."},
		{"part type missing", userParts(`{"text":"hi"}`), "messages[0].content[0].type", CodeMissing, ""},
		{"part not an object", userParts(`"hi"`), "messages[0].content[0]", CodeInvalidType, ""},
		{"text part without text", userParts(`{"type":"text"}`), "messages[0].content[0].text", CodeMissing, ""},
		{"text part number", userParts(`{"type":"text","text":5}`), "messages[0].content[0].text", CodeInvalidType, ""},
		{"image without url", userParts(`{"type":"image_url","image_url":{}}`), "messages[0].content[0].image_url.url", CodeMissing, ""},
		{"image detail", userParts(`{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"max"}}`), "messages[0].content[0].image_url.detail", CodeInvalidValue, ""},
		{"audio format", userParts(`{"type":"input_audio","input_audio":{"data":"AAAA","format":"ogg"}}`), "messages[0].content[0].input_audio.format", CodeInvalidValue, ""},
		{"audio without format", userParts(`{"type":"input_audio","input_audio":{"data":"AAAA"}}`), "messages[0].content[0].input_audio.format", CodeMissing, ""},
		{"file without data or id", userParts(`{"type":"file","file":{"filename":"a.pdf"}}`), "messages[0].content[0].file", CodeMissing, ""},
		{"image in a system message", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"u"}}]}]}`,
			"messages[0].content[0].type", CodeInvalidValue, ""},
		{"refusal part from the user", userParts(`{"type":"refusal","refusal":"no"}`), "messages[0].content[0].type", CodeInvalidValue, ""},
		{"tool without call id", `{"model":"m","messages":[{"role":"tool","content":"42"}]}`, "messages[0].tool_call_id", CodeMissing, ""},
		{"function without name", `{"model":"m","messages":[{"role":"function","content":"42"}]}`, "messages[0].name", CodeMissing, ""},
		{"tool_calls string", `{"model":"m","messages":[{"role":"assistant","tool_calls":"x"}]}`, "messages[0].tool_calls", CodeInvalidType, ""},
		{"tool call arguments", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{}}}]}]}`,
			"messages[0].tool_calls[0].function.arguments", CodeInvalidType, ""},
		{"assistant refusal", `{"model":"m","messages":[{"role":"assistant","refusal":5}]}`, "messages[0].refusal", CodeInvalidType, ""},
		{"name number", `{"model":"m","messages":[{"role":"user","content":"hi","name":5}]}`, "messages.name", CodeInvalidType, ""},
		{"invalid UTF-8", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\xe9\"}]}", "messages[0].content", CodeEncoding, "not valid UTF-8"},
		{"invalid UTF-8 in a part", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}]}", "messages[0].content[0].text", CodeEncoding, ""},
		{"lone high surrogate", chatWith(`,"user":"x\ud800y"`), "user", CodeEncoding, `lone surrogate escape (\ud800`},
		{"lone low surrogate", `{"model":"m","messages":[{"role":"user","content":"\udc00"}]}`, "messages[0].content", CodeEncoding, ""},
		{"high surrogate then not low", `{"model":"m","messages":[{"role":"user","content":"\ud83d\u0041"}]}`, "messages[0].content", CodeEncoding, ""},
		{"surrogate at the end", `{"model":"m","messages":[{"role":"user","content":"\ud83d"}]}`, "messages[0].content", CodeEncoding, ""},
		{"escaped key still checked", `{"model":"m","messages":[{"role":"user","content":"hi"}],"temp\u0065rature":"hot"}`, "temperature", CodeInvalidType, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := checkChat(tt.body)
			if pe == nil {
				t.Fatalf("accepted %s", tt.body)
			}
			if pe.Param != tt.param || pe.Code != tt.code || !strings.Contains(pe.Message, tt.msg) {
				t.Errorf("got param %q code %q %q; want %q %q %q", pe.Param, pe.Code, pe.Message, tt.param, tt.code, tt.msg)
			}
		})
	}
}

func TestValidateAcceptsWhatOpenAIAccepts(t *testing.T) {
	for _, body := range []string{
		benchBodies["parts"],
		chatWith(`,"temperature":0,"top_p":1,"seed":42,"stop":null,"logit_bias":{"50256":-100},"n":1,"logprobs":true,"top_logprobs":5`),
		chatWith(`,"temperature":null,"stop":"END","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}}`),
		chatWith(`,"tool_choice":{"type":"function","function":{"name":"f"}},"tools":[{"type":"function","function":{"name":"f","strict":true}}]`),
		chatWith(`,"metadata":{"team":"risk"},"modalities":["text"],"store":false,"service_tier":"auto","reasoning_effort":"low","verbosity":"low"`),
		chatWith(`,"some_provider_extension":{"anything":[1,"x"]}`),
		userParts(`{"type":"text","text":"see"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}}`),
		userParts(`{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},{"type":"file","file":{"file_id":"file-abc"}}`),
		`{"model":"m","messages":[{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"no"}],"refusal":null}]}`,
		`{"model":"m","messages":[{"role":"user","content":"emoji \ud83d\ude00 and \\ud800 as text, \u00e9"}]}`,
		`{"model":"m","messages":[{"role":"developer","content":[{"type":"text","text":"be brief"}]},{"role":"user","content":"é ✓ 😀"}]}`,
	} {
		if pe := checkChat(body); pe != nil {
			t.Errorf("refused %s: %s (%s)", body, pe.Message, pe.Param)
		}
	}
}

func TestMessageMediaCountsImagesAndFileReferences(t *testing.T) {
	var r ChatRequest
	body := userParts(`{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"https://x/1.png"}},` +
		`{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"file","file":{"file_id":"f"}},{"type":"file","file":{"file_data":"JVBERi0="}}`)
	if err := DecodeChat([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if pe := r.Validate(); pe != nil {
		t.Fatal(pe)
	}
	got := r.Messages[0].Media()
	want := Media{Images: 2, ImageURLBytes: len("https://x/1.png") + len("data:image/png;base64,AAAA"), FileRefs: 1}
	if got != want {
		t.Errorf("media %+v, want %+v", got, want)
	}
	if text, _ := r.Messages[0].Text(); text != "a" {
		t.Errorf("text %q", text)
	}
}

func TestEmbeddingValidate(t *testing.T) {
	for body, param := range map[string]string{
		`{"input":"x"}`:            "model",
		`{"model":"m"}`:            "input",
		`{"model":"m","input":[]}`: "input",
		`{"model":"m","input":"x","encoding_format":"hex"}`: "encoding_format",
		`{"model":"m","input":"x","dimensions":0}`:          "dimensions",
	} {
		var r EmbeddingRequest
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		if pe := r.Validate(); pe == nil || pe.Param != param {
			t.Errorf("%s: %v, want an error naming %s", body, pe, param)
		}
	}
	var r EmbeddingRequest
	err := json.Unmarshal([]byte(`{"model":"m","input":"x","dimensions":"many"}`), &r)
	if pe := TypeError(err); pe == nil || pe.Param != "dimensions" || pe.Code != CodeInvalidType {
		t.Errorf("dimensions of the wrong type: %v", pe)
	}
}

// FuzzValidateChat checks that validation never panics, that the walk and
// the decoder's slow path agree on whether a body's parameters are valid,
// and that CheckEncoding refuses exactly the bodies whose strings
// encoding/json would silently turn into U+FFFD.
func FuzzValidateChat(f *testing.F) {
	for _, s := range chatSeeds {
		f.Add(s)
	}
	for _, s := range benchBodies {
		f.Add(s)
	}
	f.Add(chatWith(`,"temperature":"hot","tools":"x"`))
	f.Add(userParts(`{"type":"image_url","image_url":{"url":"u"}}`))
	f.Add(`{"model":"m","messages":[{"role":"user","content":"\ud800\udc00\ud800"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		b := []byte(body)
		encErr := CheckEncoding(b)
		var fast, slow ChatRequest
		fastErr := DecodeChat(b, &fast)
		if fastErr == nil {
			fast.Validate()
			if json.Unmarshal(b, &slow) == nil {
				slow.checkParamsSlow(b)
				if (fast.paramErr == nil) != (slow.paramErr == nil) {
					t.Fatalf("%s: walk found %v, slow path %v", body, fast.paramErr, slow.paramErr)
				}
			}
		}
		if !json.Valid(b) {
			return
		}
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		out, _ := json.Marshal(v)
		replaced := bytes.Contains(out, []byte("\ufffd")) && !bytes.Contains(b, []byte("\ufffd")) &&
			!bytes.Contains(bytes.ToLower(b), []byte(`\ufffd`))
		if replaced && encErr == nil {
			t.Fatalf("%q: encoding/json replaced characters, CheckEncoding passed it", body)
		}
		if encErr != nil && utf8.Valid(b) && !replaced && !bytes.Contains(bytes.ToLower(b), []byte(`\ufffd`)) && !bytes.Contains(b, []byte("\ufffd")) {
			t.Fatalf("%q: CheckEncoding refused (%s), encoding/json replaced nothing", body, encErr.Message)
		}
	})
}

func TestTypeErrorNamesWhatCame(t *testing.T) {
	for body, want := range map[string]string{
		`{"model":5}`:    "expected a string, but got a number instead",
		`{"n":1.5}`:      "expected an integer, but got a decimal instead",
		`{"stream":"x"}`: "expected a boolean, but got a string instead",
	} {
		var r ChatRequest
		pe := TypeError(json.Unmarshal([]byte(body), &r))
		if pe == nil || !strings.Contains(pe.Message, want) {
			t.Errorf("%s: %v, want %q", body, pe, want)
		}
	}
}
