package guardrail

import (
	"encoding/json"
	"strings"
	"testing"
)

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
