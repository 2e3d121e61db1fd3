package guardrail

import (
	"encoding/json"
	"fmt"
	"slices"
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
	f.Add(`{"Choices":[{"index":0,"delta":{"Content":"x"},"finish_reason":null}]}`)
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

// FuzzAnswerContents checks the byte walk over chat.completion answers
// against a full decode: whatever it accepts, it must find exactly the
// contents encoding/json finds, so no answer text escapes screening.
func FuzzAnswerContents(f *testing.F) {
	f.Add(`{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\"\n"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}`)
	f.Add(`{"choices":[{"message":{"content":null,"tool_calls":[]}},{"message":{"content":"b"}}]}`)
	f.Add(`{"choices":[{"message":{"content":"a","content":"b"}}]}`)
	f.Add(`{"choices":[{"message":{"content":[{"type":"text","text":"x"}]}}]}`)
	f.Add(`{"choices":[{"message":{"content":null,"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}},{"function":{"arguments":"{}"}}]}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		spans, ok := answerContents([]byte(body))
		if !ok {
			return
		}
		var ans struct {
			Choices []struct {
				Message struct {
					Content   *string `json:"content"`
					ToolCalls []struct {
						Function struct {
							Arguments *string `json:"arguments"`
						} `json:"function"`
					} `json:"tool_calls"`
				} `json:"message"`
			} `json:"choices"`
		}
		if json.Unmarshal([]byte(body), &ans) != nil {
			return // not JSON: the handler screens it as text
		}
		var want, got []string // "choice/kind: text", in order
		for i, c := range ans.Choices {
			if c.Message.Content != nil && *c.Message.Content != "" {
				want = append(want, fmt.Sprintf("%d/content: %s", i, *c.Message.Content))
			}
			for _, tc := range c.Message.ToolCalls {
				if a := tc.Function.Arguments; a != nil && *a != "" {
					want = append(want, fmt.Sprintf("%d/args: %s", i, *a))
				}
			}
		}
		for _, sp := range spans {
			text, ok := unquote([]byte(body[sp.start:sp.end]))
			if !ok {
				return // the handler decodes such an answer instead
			}
			kind := "content"
			if sp.args {
				kind = "args"
			}
			if len(text) > 0 {
				got = append(got, fmt.Sprintf("%d/%s: %s", sp.choice, kind, text))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("walk found %q, decode %q", got, want)
		}
	})
}
