package guardrail

import (
	"encoding/json"
	"testing"

	"github.com/aigw/aigw/internal/guard"
)

// FuzzParseFastChunk feeds provider-shaped bytes to the byte-level chunk
// parser: it must never panic, and what it accepts must agree with a full
// JSON decode.
func FuzzParseFastChunk(f *testing.F) {
	f.Add(`{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`)
	f.Add(`{"choices":[{"index":0,"delta":{"content":"a\"b\\"},"finish_reason":"stop"}]}`)
	f.Add(`{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
	f.Add(`{"choices":[{"index":0,"delta":{"content":"\u00e9"`)
	f.Fuzz(func(t *testing.T, data string) {
		c, ok := parseFastChunk([]byte(data))
		if !ok {
			return
		}
		if c.hasContent && (c.start < 0 || c.end > len(data) || c.start > c.end) {
			t.Fatalf("span [%d,%d) out of range of %d bytes", c.start, c.end, len(data))
		}
		var full struct {
			Choices []struct {
				Delta struct {
					Content *string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if json.Unmarshal([]byte(data), &full) != nil || len(full.Choices) != 1 {
			return // not valid JSON: the fast path may still splice it, the client gets what the provider sent
		}
		if got := full.Choices[0].Delta.Content; got != nil && *got != string(c.content) {
			t.Fatalf("fast content %q, decoded %q", c.content, *got)
		}
	})
}

// FuzzSSEFilter feeds arbitrary streams through the output screen: no panic,
// whatever the provider sends.
func FuzzSSEFilter(f *testing.F) {
	ps, err := guard.LoadPolicies("../../configs/guardrails.yaml")
	if err != nil {
		f.Fatal(err)
	}
	e, _ := guard.NewEngine(guard.Options{})
	f.Add("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4111 1111\"},\"finish_reason\":null}]}\n\ndata: [DONE]\n\n", 7)
	f.Add("data: {\"choices\":[{\"index\":3,\"delta\":{\"content\":null},\"finish_reason\":\"stop\"}]}\n\n", 1)
	f.Fuzz(func(t *testing.T, stream string, split int) {
		var v verdict
		flt := newSSEFilter(e, ps["bfsi-strict"], 64, &v)
		if split < 0 || split > len(stream) {
			split = len(stream) / 2
		}
		flt.write([]byte(stream[:split]))
		flt.write([]byte(stream[split:]))
		flt.close()
	})
}
