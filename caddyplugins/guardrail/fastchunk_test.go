package guardrail

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFastChunk(t *testing.T) {
	tests := []struct {
		name string
		data string
		want fastChunk
		ok   bool
	}{
		{"content", `{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`,
			fastChunk{content: []byte("Hi"), hasContent: true, onlyText: true}, true},
		{"escapes and unicode", `{"choices":[{"index":2,"delta":{"role":"assistant","content":"a\"b\\n\u00e9 {x}"},"finish_reason":null}]}`,
			fastChunk{index: 2, content: []byte("a\"b\\n\u00e9 {x}"), hasContent: true}, true},
		{"finish with empty delta", `{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
			fastChunk{finished: true}, true},
		{"null content beside tool calls", `{"choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"index":0,"function":{"arguments":"{\"content\":1}"}}]},"finish_reason":null}]}`,
			fastChunk{hasContent: true, args: []argSpan{{tool: 0, text: []byte(`{"content":1}`)}}}, true},
		{"tool call pieces", `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"ss"}},{"index":2,"id":"c","function":{"name":"f"}}]},"finish_reason":null}]}`,
			fastChunk{args: []argSpan{{tool: 1, text: []byte(`{"ss`)}}}, true},
		{"tool call without index", `{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"x"}}]},"finish_reason":null}]}`, fastChunk{}, false},
		{"logprobs", `{"choices":[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[]},"finish_reason":null}]}`,
			fastChunk{content: []byte("a"), hasContent: true}, true},
		{"content twice", `{"choices":[{"index":0,"delta":{"content":"a","content":"b"},"finish_reason":null}]}`, fastChunk{}, false},
		{"no index", `{"choices":[{"delta":{"content":"a"},"finish_reason":null}]}`, fastChunk{}, false},
		{"two choices", `{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null},{"index":1,"delta":{"content":"b"},"finish_reason":null}]}`,
			fastChunk{}, false},
		{"content not a string", `{"choices":[{"index":0,"delta":{"content":[1]},"finish_reason":null}]}`, fastChunk{}, false},
		{"truncated", `{"choices":[{"index":0,"delta":{"content":"abc`, fastChunk{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseFastChunk([]byte(tt.data))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			got.start, got.end, got.delta = 0, 0, 0
			for i := range got.args {
				got.args[i].start, got.args[i].end = 0, 0
			}
			if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(fastChunk{}, argSpan{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestFastPathSplicesValidJSON checks that spliced chunks stay valid JSON with
// every other field intact.
func TestFastPathSplicesValidJSON(t *testing.T) {
	e, p := testPolicy(t, "bfsi-standard")
	var v verdict
	f := newSSEFilter(e, p, 16, &v)
	in := `data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"hello there, general"},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n" +
		`data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}` + "\n\n"
	out, blocked := f.write([]byte(in))
	if blocked {
		t.Fatal("blocked")
	}
	text, _ := contentOf(t, string(out))
	if text != "hello there, general" {
		t.Errorf("content = %q", text)
	}
	for _, ev := range splitEvents(string(out)) {
		var m map[string]any
		if err := json.Unmarshal([]byte(ev), &m); err != nil {
			t.Fatalf("invalid JSON %q: %v", ev, err)
		}
		if m["id"] != "c1" || m["model"] != "m" {
			t.Errorf("fields lost: %s", ev)
		}
	}
}

func splitEvents(s string) []string {
	var out []string
	for _, ev := range strings.Split(s, "\n\n") {
		if ev != "" {
			out = append(out, strings.TrimPrefix(ev, "data: "))
		}
	}
	return out
}
