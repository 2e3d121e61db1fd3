package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/providers/providertest"
	"github.com/aigw/aigw/internal/sse"
)

func parse(t *testing.T, name string) *oai.ChatParams {
	t.Helper()
	r, err := oai.ParseParams(providertest.Read(t, filepath.Join("..", "testdata", name+".json")))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBuildRequestGolden translates the shared OpenAI requests (tools and
// tool results, images, JSON schema, JSON mode) and compares the Messages
// API bodies with the golden files.
func TestBuildRequestGolden(t *testing.T) {
	tests := []struct {
		name         string
		drop         bool
		wantJSONMode bool
	}{
		{name: "tools"},
		{name: "images"},
		{name: "json_schema", wantJSONMode: true},
		{name: "json_object", drop: true, wantJSONMode: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, jsonMode, e := BuildRequest(parse(t, tt.name), Options{Model: "claude-x", MaxOutputTokens: 8192, DropParams: tt.drop})
			if e != nil {
				t.Fatal(e)
			}
			if jsonMode != tt.wantJSONMode {
				t.Errorf("jsonMode = %v", jsonMode)
			}
			providertest.Golden(t, filepath.Join("testdata", tt.name+".request.json"), body)
		})
	}
}

func TestBuildRequestRefusesWhatAnthropicCannotDo(t *testing.T) {
	tests := []struct {
		name, body, wantParam string
	}{
		{"seed", `{"model":"m","seed":1,"messages":[{"role":"user","content":"hi"}]}`, "seed"},
		{"n", `{"model":"m","n":2,"messages":[{"role":"user","content":"hi"}]}`, "n"},
		{"logprobs", `{"model":"m","logprobs":true,"messages":[{"role":"user","content":"hi"}]}`, "logprobs"},
		{"penalty", `{"model":"m","presence_penalty":0.5,"messages":[{"role":"user","content":"hi"}]}`, "presence_penalty"},
		{"audio part", `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]}`, "messages[0].content[0].type"},
		{"only system", `{"model":"m","messages":[{"role":"system","content":"x"}]}`, "messages"},
		{"bad tool choice", `{"model":"m","tool_choice":"sometimes","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"hi"}]}`, "tool_choice"},
		{"tool without id", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x"}]}`, "messages[1].tool_call_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := oai.ParseParams([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = BuildRequest(r, Options{Model: "claude-x"})
			var e *apierr.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Param != tt.wantParam {
				t.Fatalf("e = %v (param %q), want 400 naming %q", e, paramOf(e), tt.wantParam)
			}
			if !strings.Contains(e.Message, "`"+tt.wantParam+"`") && e.Code == providers.CodeUnsupported {
				t.Errorf("message %q does not name the parameter", e.Message)
			}
		})
	}
}

func paramOf(e *apierr.Error) string {
	if e == nil {
		return ""
	}
	return e.Param
}

func TestDefaultMaxTokensAndTemperatureRange(t *testing.T) {
	r, _ := oai.ParseParams([]byte(`{"model":"m","temperature":1.6,"messages":[{"role":"user","content":"hi"}]}`))
	body, _, e := BuildRequest(r, Options{Model: "claude-x"})
	if e != nil {
		t.Fatal(e)
	}
	if !bytes.Contains(body, []byte(`"max_tokens":4096`)) || !bytes.Contains(body, []byte(`"temperature":1`)) {
		t.Errorf("body = %s", body)
	}
}

func TestTranslateResponseGolden(t *testing.T) {
	tests := []struct {
		name     string
		jsonMode bool
	}{
		{name: "answer_tool_use"},
		{name: "answer_json_mode", jsonMode: true},
		{name: "answer_thinking"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := providertest.Read(t, filepath.Join("testdata", tt.name+".json"))
			out, _, err := TranslateResponse(in, "claude-x", 1700000000, tt.jsonMode)
			if err != nil {
				t.Fatal(err)
			}
			providertest.Golden(t, filepath.Join("testdata", tt.name+".openai.json"), out)
		})
	}
}

func TestTranslateResponseUsageCountsCache(t *testing.T) {
	in := []byte(`{"id":"msg_1","content":[{"type":"text","text":"hi"}],"stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}}`)
	out, u, err := TranslateResponse(in, "claude-x", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if u.PromptTokens != 130 || u.CompletionTokens != 5 || u.PromptTokensDetails.CachedTokens != 100 {
		t.Errorf("usage = %+v", u)
	}
	if !bytes.Contains(out, []byte(`"finish_reason":"length"`)) {
		t.Errorf("out = %s", out)
	}
}

// translateStream runs a recorded SSE stream through Stream.
func translateStream(t testing.TB, in []byte, includeUsage, jsonMode bool) ([]byte, error) {
	s := NewStream("claude-x", 1700000000, includeUsage, jsonMode)
	s.Provider, s.Key = "anthropic", "sk-ant-secret"
	r := sse.NewReader(bytes.NewReader(in), nil)
	var out []byte
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return s.End(out)
		}
		if err != nil {
			return out, err
		}
		if out, err = s.Event(out, ev); err != nil {
			return out, err
		}
	}
}

func TestStreamGolden(t *testing.T) {
	tests := []struct {
		name         string
		includeUsage bool
		jsonMode     bool
	}{
		{name: "stream_tool_use", includeUsage: true},
		{name: "stream_thinking"},
		{name: "stream_json_mode", jsonMode: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := translateStream(t, providertest.Read(t, filepath.Join("testdata", tt.name+".sse")), tt.includeUsage, tt.jsonMode)
			if err != nil {
				t.Fatal(err)
			}
			providertest.Golden(t, filepath.Join("testdata", tt.name+".openai.sse"), out)
		})
	}
}

func TestStreamErrorEventBeforeContentSendsNothing(t *testing.T) {
	in := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
		"event: ping\ndata: {\"type\":\"ping\"}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded sk-ant-secret\"}}\n\n"
	out, err := translateStream(t, []byte(in), true, false)
	var e *apierr.Error
	if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || e.Code != providers.CodeOverloaded {
		t.Fatalf("err = %v, want 503 overloaded", err)
	}
	if len(out) != 0 {
		t.Errorf("sent %q before any content", out)
	}
	if strings.Contains(e.Message, "sk-ant-secret") {
		t.Error("the provider key leaked into the error")
	}
}

func TestErrorNormalisation(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"overloaded", 529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 503, providers.CodeOverloaded, "Overloaded"},
		{"rate limit", 429, `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`, 429, providers.CodeRateLimited, "per-minute"},
		{"context too long", 400, `{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"}}`, 400, providers.CodeContextLength, "prompt is too long"},
		{"invalid request", 400, `{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be at least 1"}}`, 400, providers.CodeInvalid, "max_tokens"},
		{"our key refused", 401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-ant-secret"}}`, 502, providers.CodeAuthFailed, "credentials"},
		{"api error", 500, `{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`, 502, providers.CodeUpstream, "Internal server error"},
		{"not json", 502, `<html>bad gateway</html>`, 502, providers.CodeUpstream, "Bad Gateway"},
		{"key echoed", 400, `{"type":"error","error":{"type":"invalid_request_error","message":"bad key sk-ant-secret"}}`, 400, providers.CodeInvalid, "[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Error("anthropic", "sk-ant-secret", tt.status, []byte(tt.body))
			if e.Status != tt.wantStatus || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("got %d %s %q; want %d %s containing %q", e.Status, e.Code, e.Message, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(e.Message, "sk-ant-secret") {
				t.Error("key leaked")
			}
		})
	}
}

func TestFinishReasonMapping(t *testing.T) {
	for in, want := range map[string]string{"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter", "pause_turn": "stop"} {
		if got := FinishReason(in, false); got != want {
			t.Errorf("FinishReason(%q) = %q, want %q", in, got, want)
		}
	}
	if FinishReason("tool_use", true) != "stop" {
		t.Error("JSON mode's forced tool must finish with stop")
	}
}

func TestParseTextDelta(t *testing.T) {
	tests := []struct {
		in    string
		index int
		text  string
		ok    bool
	}{
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`, 0, "Hello", true},
		{`{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"a \"q\" \\ \u00e9\n"}}`, 12, "a \"q\" \\ \u00e9\n", true},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}`, 0, "", true},
		{`{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "spaced"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","extra":1}}`, 0, "", false},
		{`{"type":"content_block_delta","index":x,"delta":{"type":"text_delta","text":"x"}}`, 0, "", false},
	}
	for _, tt := range tests {
		index, text, ok := parseTextDelta([]byte(tt.in))
		if ok != tt.ok || ok && (index != tt.index || text != tt.text) {
			t.Errorf("%s: got %d %q %v", tt.in, index, text, ok)
		}
	}
}

func FuzzParseTextDelta(f *testing.F) {
	f.Add(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`)
	f.Add(`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"\"\\u00e9"}}`)
	f.Fuzz(func(t *testing.T, in string) {
		index, text, ok := parseTextDelta([]byte(in))
		if !ok {
			return
		}
		// Whatever the fast path accepts, the general decoder must read the same.
		var ev struct {
			Type  string `json:"type"`
			Index int    `json:"index"`
			Delta struct {
				Type string  `json:"type"`
				Text *string `json:"text"`
			} `json:"delta"`
		}
		if err := json.Unmarshal([]byte(in), &ev); err != nil {
			t.Fatalf("fast path accepted invalid JSON %q", in)
		}
		if ev.Index != index || ev.Delta.Text == nil || *ev.Delta.Text != text || ev.Delta.Type != "text_delta" {
			t.Fatalf("fast path read %d %q, decoder %+v", index, text, ev)
		}
	})
}
