package providers

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/oai"
)

func TestSSEReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // "event|data"
		wantErr error
	}{
		{"named events", "event: ping\ndata: {}\n\nevent: message_stop\ndata: {\"a\":1}\n\n", []string{"ping|{}", "message_stop|{\"a\":1}"}, io.EOF},
		{"crlf and no space", "data:x\r\n\r\ndata: y\r\n\r\n", []string{"|x", "|y"}, io.EOF},
		{"multi-line data and comments", ": keep-alive\n\ndata: a\ndata: b\n\n", []string{"|a\nb"}, io.EOF},
		{"cut inside an event", "data: a\n\ndata: b", []string{"|a", "|b"}, io.ErrUnexpectedEOF},
		{"long line", "data: " + strings.Repeat("x", 40000) + "\n\n", []string{"|" + strings.Repeat("x", 40000)}, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewSSEReader(strings.NewReader(tt.in))
			var got []string
			var err error
			for {
				var ev, data []byte
				ev, data, err = r.Next()
				if ev != nil || data != nil {
					got = append(got, string(ev)+"|"+string(data))
				}
				if err != nil {
					break
				}
			}
			if err != tt.wantErr || strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

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

func TestParseToolChoice(t *testing.T) {
	tests := []struct {
		in   string
		want ToolChoice
		err  bool
	}{
		{``, ToolChoice{Mode: "auto"}, false},
		{`"none"`, ToolChoice{Mode: "none"}, false},
		{`"required"`, ToolChoice{Mode: "required"}, false},
		{`{"type":"function","function":{"name":"f"}}`, ToolChoice{Mode: "function", Function: "f"}, false},
		{`"maybe"`, ToolChoice{}, true},
		{`{"type":"function"}`, ToolChoice{}, true},
	}
	for _, tt := range tests {
		r := Request{ToolChoice: json.RawMessage(tt.in)}
		got, err := r.ParseToolChoice()
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: got %+v, %v", tt.in, got, err)
		}
	}
}

func TestDataURL(t *testing.T) {
	if mt, data, ok := DataURL("data:image/jpeg;base64,AAAA"); !ok || mt != "image/jpeg" || data != "AAAA" {
		t.Errorf("got %q %q %v", mt, data, ok)
	}
	for _, bad := range []string{"https://x/y.png", "data:image/png,raw", "data:;base64,AA"} {
		if _, _, ok := DataURL(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzSSEReader reads untrusted provider streams: it must never panic and
// must end.
func FuzzSSEReader(f *testing.F) {
	f.Add("event: ping\ndata: {}\n\n")
	f.Add("data: a\r\ndata: b\r\n\r\n:comment\n\ndata")
	f.Fuzz(func(t *testing.T, in string) {
		r := NewSSEReader(strings.NewReader(in))
		for i := 0; i <= len(in)+1; i++ {
			if _, _, err := r.Next(); err != nil {
				return
			}
		}
		t.Fatalf("more events than bytes in %q", in)
	})
}
