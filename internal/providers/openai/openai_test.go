package openai

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/sse"
)

func TestRefusalMapping(t *testing.T) {
	a := New(&catalog.Provider{Name: "acme", Type: catalog.TypeOpenAI, BaseURL: "http://x.test/v1", APIKey: "sk-provider-secret"}, providers.Options{})
	defer a.Close()
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"provider rejects our key", 401, `{"error":{"message":"Incorrect API key provided: sk-provider-secret"}}`, nil, 502, "upstream_auth_failed", `"acme" refused the gateway's credentials`},
		{"rate limited keeps retry-after", 429, `{"error":{"message":"slow down"}}`, http.Header{"Retry-After": {"7"}}, 429, "upstream_rate_limited", "slow down"},
		{"client error keeps provider code", 400, `{"error":{"message":"bad temperature","code":"invalid_value","param":"temperature"}}`, nil, 400, "invalid_value", "bad temperature"},
		{"server error", 503, `not json`, nil, 502, "upstream_error", "status 503"},
		{"echoed key is scrubbed", 422, `{"error":{"message":"key sk-provider-secret is odd"}}`, nil, 422, "upstream_invalid_request", "[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.header == nil {
				tt.header = http.Header{}
			}
			e := apierr.From(a.Error(tt.status, tt.header, []byte(tt.body)))
			if e.Status != tt.wantStatus || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("got %d %s %q, want %d %s containing %q", e.Status, e.Code, e.Message, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(e.Message, "sk-provider-secret") {
				t.Error("the provider key leaked into the client's error")
			}
			if tt.status == 429 && e.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter = %v", e.RetryAfter)
			}
		})
	}
}

func TestBodyRenamesAndKeepsEverythingElse(t *testing.T) {
	in := `{"model":"alias","messages":[{"role":"user","content":"hi"}],"temperature":0.70,"seed":12345678901234567890}`
	out, err := Body([]byte(in), "upstream-name", "alias", false)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if string(got["model"]) != `"upstream-name"` || string(got["temperature"]) != "0.70" || string(got["seed"]) != "12345678901234567890" {
		t.Errorf("renamed body = %s", out)
	}
	if same, _ := Body([]byte(in), "alias", "alias", false); &same[0] != &[]byte(in)[0] && string(same) != in {
		t.Errorf("a body needing no change changed: %s", same)
	}
}

func TestBodyAsksForUsage(t *testing.T) {
	tests := []struct {
		name, in, upstream string
		want               map[string]string
	}{
		{"fast path", `{"model":"a","stream":true,"messages":[]}`, "a", map[string]string{"model": `"a"`, "stream_options": `{"include_usage":true}`}},
		{"leading space", " \n{\"model\":\"a\"}", "a", map[string]string{"stream_options": `{"include_usage":true}`}},
		{"existing options kept", `{"model":"a","stream_options":{"include_usage":false,"x":1}}`, "a", map[string]string{"stream_options": `{"include_usage":true,"x":1}`}},
		{"renamed too", `{"model":"a","stream":true}`, "b", map[string]string{"model": `"b"`, "stream_options": `{"include_usage":true}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Body([]byte(tt.in), tt.upstream, "a", true)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			for k, v := range tt.want {
				if string(got[k]) != v {
					t.Errorf("%s = %s, want %s (body %s)", k, got[k], v, out)
				}
			}
		})
	}
	if _, err := Body([]byte(`{"model":`), "b", "a", false); apierr.From(err).Code != "invalid_json" {
		t.Errorf("a body that is not JSON: %v", err)
	}
}

// read runs a stream through a Reader event by event, as the router does.
func read(t *testing.T, r *Reader, stream string) string {
	t.Helper()
	var f sse.Framer
	f.Write([]byte(stream)) //nolint:errcheck
	var out []byte
	for ev, ok := f.Next(); ok; ev, ok = f.Next() {
		var err error
		if out, err = r.Event(out, ev); err != nil {
			t.Fatal(err)
		}
	}
	out, _ = r.End(out)
	return string(out)
}

// TestReaderReadsUsageContentAndFinishOnce checks what a relayed stream
// carried: the usage of its last chunk (kept from a client that did not ask
// for it), the content generated, tool-call arguments included, and the
// finish reason; every other byte goes out as it came, CRLF lines included.
func TestReaderReadsUsageContentAndFinishOnce(t *testing.T) {
	events := []string{
		"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n",
		"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello, w\\u00f6rld\"},\"finish_reason\":null}],\"usage\":null}\r\n\r\n",
		": keep-alive\n\n",
		"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}\n\n",
		"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
	}
	usage := "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18,\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\n"
	done := "data: [DONE]\n\n"
	stream := strings.Join(events, "") + usage + done
	for _, hide := range []bool{true, false} {
		r := NewReader(hide)
		out := read(t, r, stream)
		want := stream
		if hide {
			want = strings.Join(events, "") + done
		}
		if out != want {
			t.Errorf("hide %v: relayed %q, want %q", hide, out, want)
		}
		rl := r.Relay()
		if !rl.Reported || rl.Usage.PromptTokens != 11 || rl.Usage.CompletionTokens != 7 || rl.Usage.PromptTokensDetails.CachedTokens != 3 ||
			rl.Content != len("Hello, wörld")+2 || !rl.Counted || rl.Finish != "stop" {
			t.Errorf("hide %v: relay %+v", hide, rl)
		}
	}
}

func TestReaderCountsSeveralChoicesByDecoding(t *testing.T) {
	r := NewReader(false)
	read(t, r, `data: {"choices":[{"index":0,"delta":{"content":"ab"},"finish_reason":null},{"index":1,"delta":{"content":"cde"},"finish_reason":"length"}]}`+"\n\n")
	if rl := r.Relay(); rl.Content != 5 || rl.Finish != "length" || rl.Reported {
		t.Errorf("relay %+v", rl)
	}
	if r.Chunk() == nil || r.Chunk().Choices != 2 {
		t.Errorf("chunk of the last event: %+v", r.Chunk())
	}
}

func TestReaderAnswerCountsContentWhenUsageIsMissing(t *testing.T) {
	r := NewReader(false)
	body := `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"four"},"finish_reason":"stop"}]}`
	if out, err := r.Answer([]byte(body)); err != nil || string(out) != body {
		t.Fatalf("answer %s, %v", out, err)
	}
	if rl := r.Relay(); rl.Reported || !rl.Counted || rl.Content != 4 {
		t.Errorf("relay %+v", rl)
	}
	r = NewReader(false)
	r.Answer([]byte(`{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}`)) //nolint:errcheck
	if rl := r.Relay(); !rl.Reported || rl.Usage.PromptTokens != 3 || rl.Counted {
		t.Errorf("relay with usage %+v", rl)
	}
}

func BenchmarkReaderPerChunk(b *testing.B) {
	ev := []byte("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word\"},\"finish_reason\":null}]}\n\n")
	r := NewReader(true)
	var out []byte
	b.SetBytes(int64(len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		out, _ = r.Event(out[:0], ev)
	}
	if len(out) == 0 {
		b.Fatal("nothing relayed")
	}
}
