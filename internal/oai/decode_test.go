package oai

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var chatSeeds = []string{
	`{"model":"gpt-4o","max_tokens":18,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Hi \"there\" \u00e9"}]}`,
	`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:x"}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"42"}],"tools":[{"type":"function","function":{"name":"f"}}],"n":2,"user":"u1"}`,
	`{"Model":"m","MESSAGES":[null,{"role":"user","content":"x"}],"n":null,"max_completion_tokens":5,"stream_options":null,"extra":{"deep":[1,2,{"k":"v"}]}}`,
	`{"model":"m","messages":[],"messages":[{"role":"user"}]}`,
	`{"model":"m","max_tokens":1.5}`,
	`{"model":"m","max_tokens":99999999999999999999}`,
	`{"model":"m","stream":"yes"}`,
	`{"mod\u0065l":"m"}`,
	`{"model":"m",}`,
	`[1]`,
}

func TestDecodeChatMatchesEncodingJSON(t *testing.T) {
	for _, s := range chatSeeds {
		checkDecodeChat(t, s)
	}
}

// FuzzDecodeChat checks that DecodeChat decodes exactly as json.Unmarshal
// does, errors included.
func FuzzDecodeChat(f *testing.F) {
	for _, s := range chatSeeds {
		f.Add(s)
	}
	f.Fuzz(checkDecodeChat)
}

func checkDecodeChat(t *testing.T, body string) {
	var got, want ChatRequest
	gotErr := DecodeChat([]byte(body), &got)
	wantErr := json.Unmarshal([]byte(body), &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%s: DecodeChat error %v, json.Unmarshal error %v", body, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Message{}, ChatRequest{})); d != "" {
		t.Fatalf("%s: (-json.Unmarshal +DecodeChat)\n%s", body, d)
	}
}

func BenchmarkDecodeChat(b *testing.B) {
	body := []byte(chatSeeds[0])
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var r ChatRequest
		if err := DecodeChat(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalChat(b *testing.B) {
	body := []byte(chatSeeds[0])
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var r ChatRequest
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBodies are typical chat requests: a short plain one, and one with
// content parts, tool calls and tools.
var benchBodies = map[string]string{
	"plain": chatSeeds[0],
	"parts": `{"model":"gpt-4o","temperature":0.2,"top_p":1,"stop":["\n\n"],"max_completion_tokens":300,"messages":[` +
		`{"role":"system","content":"You are a helpful banking assistant. Answer briefly."},` +
		`{"role":"user","content":[{"type":"text","text":"What does this statement show?"},{"type":"image_url","image_url":{"url":"https://example.com/statement.png","detail":"low"}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_balance","arguments":"{\"account\":\"checking\"}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","content":"1,024.00 USD"}],` +
		`"tools":[{"type":"function","function":{"name":"get_balance","description":"Balance of an account","parameters":{"type":"object","properties":{"account":{"type":"string"}},"required":["account"]}}}],"tool_choice":"auto"}`,
}

// BenchmarkDecodeValidateChat is what the request state does with a chat
// body: decode it, then validate it (message texts included).
func BenchmarkDecodeValidateChat(b *testing.B) {
	for name, s := range benchBodies {
		body := []byte(s)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var r ChatRequest
				if err := DecodeChat(body, &r); err != nil {
					b.Fatal(err)
				}
				if err := r.Validate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
