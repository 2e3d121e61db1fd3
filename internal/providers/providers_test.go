package providers

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/aigw/aigw/internal/oai"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" backslash \\ newline \n tab \t cr \r", "\x00\x01\x1f bell \a", "héllo ✓ 🚀", "bad \xff utf8", "line\u2028sep\u2029", "<html>&"} {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encoded to invalid JSON %s: %v", s, got, err)
		}
		if want := viaEncodingJSON(t, s); back != want {
			t.Errorf("round trip of %q = %q", s, back)
		}
	}
}

// viaEncodingJSON is s after a round trip through encoding/json, which
// replaces each invalid byte with U+FFFD, as AppendString must.
func viaEncodingJSON(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func FuzzAppendString(f *testing.F) {
	f.Add("hello \"world\"\n")
	f.Add("\xff\x00")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(AppendString(nil, s), &back); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
		if back != viaEncodingJSON(t, s) {
			t.Fatalf("round trip of %q = %q", s, back)
		}
	})
}

func TestChunkWriterEmitsValidChunks(t *testing.T) {
	cw := NewChunkWriter("id-\"1\"", "model", 42)
	var out []byte
	out = cw.Role(out)
	out = cw.Text(out, "hi \"there\"")
	out = cw.ToolCall(out, 0, "call_1", "f", "")
	out = cw.ToolCall(out, 0, "", "", `{"a":`)
	out = cw.Finish(out, "tool_calls")
	out = cw.Usage(out, oai.Usage{PromptTokens: 3, CompletionTokens: 4, PromptTokensDetails: &oai.PromptTokensDetails{CachedTokens: 1}})
	out = Done(out)
	events := bytes.Split(bytes.TrimSpace(out), []byte("\n\n"))
	if len(events) != 7 {
		t.Fatalf("%d events: %s", len(events), out)
	}
	for _, ev := range events[:6] {
		data := bytes.TrimPrefix(ev, []byte("data: "))
		var c struct {
			ID      string `json:"id"`
			Object  string `json:"object"`
			Created int64  `json:"created"`
			Usage   *oai.Usage
		}
		if err := json.Unmarshal(data, &c); err != nil || c.ID != `id-"1"` || c.Object != "chat.completion.chunk" || c.Created != 42 {
			t.Fatalf("bad chunk %s: %v", data, err)
		}
	}
	if !bytes.Contains(events[5], []byte(`"total_tokens":7`)) || string(events[6]) != "data: [DONE]" {
		t.Errorf("usage/done events: %s / %s", events[5], events[6])
	}
}
