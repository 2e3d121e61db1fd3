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
	if d := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Message{})); d != "" {
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
