package oai

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aigw/aigw/internal/jsonwalk"
)

func TestReadChunk(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Chunk
		ok   bool
	}{
		{"content", `{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`,
			Chunk{Choices: 1, Content: []byte("Hi"), HasContent: true, OnlyText: true, Shaped: true}, true},
		{"escapes and unicode", `{"choices":[{"index":2,"delta":{"role":"assistant","content":"a\"b\\n\u00e9 {x}"},"finish_reason":null}]}`,
			Chunk{Choices: 1, Index: 2, Content: []byte("a\"b\\n\u00e9 {x}"), HasContent: true, Shaped: true}, true},
		{"finish with empty delta", `{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
			Chunk{Choices: 1, Finish: []byte("stop"), Shaped: true}, true},
		{"null content beside tool calls", `{"choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"index":0,"function":{"arguments":"{\"content\":1}"}}]},"finish_reason":null}]}`,
			Chunk{Choices: 1, HasContent: true, Shaped: true, Args: []ArgSpan{{Tool: 0, Text: []byte(`{"content":1}`)}}}, true},
		{"tool call pieces", `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"ss"}},{"index":2,"id":"c","function":{"name":"f"}}]},"finish_reason":null}]}`,
			Chunk{Choices: 1, Shaped: true, Args: []ArgSpan{{Tool: 1, Text: []byte(`{"ss`)}}}, true},
		{"tool call without index", `{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"x"}}]},"finish_reason":null}]}`, Chunk{}, false},
		{"logprobs", `{"choices":[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[]},"finish_reason":null}]}`,
			Chunk{Choices: 1, Content: []byte("a"), HasContent: true, Shaped: true}, true},
		{"content twice", `{"choices":[{"index":0,"delta":{"content":"a","content":"b"},"finish_reason":null}]}`, Chunk{}, false},
		{"no index", `{"choices":[{"delta":{"content":"a"},"finish_reason":null}]}`,
			Chunk{Choices: 1, Content: []byte("a"), HasContent: true, OnlyText: true}, true},
		{"two choices", `{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null},{"index":1,"delta":{"content":"b"},"finish_reason":null}]}`,
			Chunk{Choices: 2}, true},
		{"content not a string", `{"choices":[{"index":0,"delta":{"content":[1]},"finish_reason":null}]}`, Chunk{}, false},
		{"truncated", `{"choices":[{"index":0,"delta":{"content":"abc`, Chunk{}, false},
		{"usage chunk", `{"id":"c","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":3}}}`,
			Chunk{HasUsage: true, Usage: Usage{PromptTokens: 11, CompletionTokens: 7, TotalTokens: 18, PromptTokensDetails: &PromptTokensDetails{CachedTokens: 3}}}, true},
		{"usage null", `{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"usage":null}`,
			Chunk{Choices: 1, Content: []byte("x"), HasContent: true, OnlyText: true, Shaped: true}, true},
		{"error event", `{"error":{"message":"overloaded","type":"server_error"}}`, Chunk{Error: true}, true},
		{"case variant keys", `{"Choices":[{"Index":0,"Delta":{"Content":"x"},"Finish_Reason":"stop"}]}`,
			Chunk{Choices: 1, Content: []byte("x"), HasContent: true, OnlyText: true, Shaped: true, Finish: []byte("stop")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Chunk
			ok := ReadChunk([]byte(tt.data), &got)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			got.Start, got.End, got.Delta, got.Data = 0, 0, 0, nil
			for i := range got.Args {
				got.Args[i].Start, got.Args[i].End = 0, 0
			}
			if d := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b []byte) bool { return string(a) == string(b) })); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestReadChunkAllocatesNothingForATextChunk(t *testing.T) {
	data := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" word"},"finish_reason":null}]}`)
	var c Chunk
	if n := testing.AllocsPerRun(100, func() { ReadChunk(data, &c) }); n != 0 {
		t.Errorf("ReadChunk allocates %v times per text chunk", n)
	}
}

// decodedChunk is what encoding/json, as a Go client, reads of a chunk.
type decodedChunk struct {
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   *string `json:"content"`
			ToolCalls []struct {
				Index    int `json:"index"`
				Function struct {
					Arguments *string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage `json:"usage"`
}

// FuzzReadChunk checks the walk against encoding/json: whatever it reads of
// a valid chunk, a decode reads the same — the text a screen sees is the
// text a client sees.
func FuzzReadChunk(f *testing.F) {
	f.Add(`{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`)
	f.Add(`{"choices":[{"index":0,"delta":{"content":"a\"b\\"},"finish_reason":"stop"}]}`)
	f.Add(`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}]}`)
	f.Add(`{"Choices":[{"index":0,"delta":{"Content":"x"},"finish_reason":null}]}`)
	f.Add(`{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":1}}}`)
	f.Fuzz(func(t *testing.T, data string) {
		var c Chunk
		if !ReadChunk([]byte(data), &c) {
			return
		}
		if c.HasContent && (c.Start < 0 || c.End > len(data) || c.Start > c.End) {
			t.Fatalf("span [%d,%d) out of range of %d bytes", c.Start, c.End, len(data))
		}
		var full decodedChunk
		if json.Unmarshal([]byte(data), &full) != nil {
			return // not valid JSON: the relay passes on what the provider sent
		}
		if len(full.Choices) != c.Choices {
			t.Fatalf("walk counted %d choices, decode %d", c.Choices, len(full.Choices))
		}
		if c.HasUsage && (full.Usage == nil || full.Usage.PromptTokens != c.Usage.PromptTokens || full.Usage.CompletionTokens != c.Usage.CompletionTokens) {
			t.Fatalf("walk usage %+v, decode %+v", c.Usage, full.Usage)
		}
		if c.Choices != 1 {
			return
		}
		ch := full.Choices[0]
		if got := ch.Delta.Content; got != nil && *got != string(c.Content) || got == nil && len(c.Content) > 0 {
			t.Fatalf("walk content %q, decoded %v", c.Content, got)
		}
		if (ch.FinishReason == nil) != (c.Finish == nil) || ch.FinishReason != nil && *ch.FinishReason != string(c.Finish) {
			t.Fatalf("walk finish %q, decoded %v", c.Finish, ch.FinishReason)
		}
		var want []string
		for _, tc := range ch.Delta.ToolCalls {
			if a := tc.Function.Arguments; a != nil {
				want = append(want, fmt.Sprintf("%d:%s", tc.Index, *a))
			}
		}
		var got []string
		for _, a := range c.Args {
			got = append(got, fmt.Sprintf("%d:%s", a.Tool, a.Text))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("walk args %q, decoded %q", got, want)
		}
	})
}

// FuzzAnswerSpans checks the byte walk over chat.completion answers
// against a full decode: whatever it accepts, it must find exactly the
// contents encoding/json finds, so no answer text escapes screening.
func FuzzAnswerSpans(f *testing.F) {
	f.Add(`{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\"\n"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}`)
	f.Add(`{"choices":[{"message":{"content":null,"tool_calls":[]}},{"message":{"content":"b"}}]}`)
	f.Add(`{"choices":[{"message":{"content":"a","content":"b"}}]}`)
	f.Add(`{"choices":[{"message":{"content":[{"type":"text","text":"x"}]}}]}`)
	f.Add(`{"choices":[{"message":{"content":null,"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}},{"function":{"arguments":"{}"}}]}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		spans, ok := AnswerSpans([]byte(body))
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
			return // not JSON: the guardrail screens it as text
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
			text, ok := jsonwalk.String([]byte(body[sp.Start:sp.End]))
			if !ok {
				return // the guardrail decodes such an answer instead
			}
			kind := "content"
			if sp.Args {
				kind = "args"
			}
			if len(text) > 0 {
				got = append(got, fmt.Sprintf("%d/%s: %s", sp.Choice, kind, text))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("walk found %q, decode %q", got, want)
		}
	})
}

func TestReadUsage(t *testing.T) {
	u, ok := ReadUsage([]byte(`{"id":"x","usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`))
	if !ok || u.PromptTokens != 5 || u.CompletionTokens != 2 {
		t.Errorf("usage = %+v, %v", u, ok)
	}
	body := `{"choices":[{"message":{"content":"write \"usage\":{\"prompt_tokens\":99} please {"}}],` +
		`"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":1}}}`
	if u, ok = ReadUsage([]byte(body)); !ok || u.PromptTokens != 5 || u.PromptTokensDetails.CachedTokens != 1 {
		t.Errorf("usage beside text that quotes one = %+v, %v", u, ok)
	}
	for _, bad := range []string{`{"id":"x"}`, `{"usage":null}`, `{"usage":{"prompt_tokens":5`, `{"usage": "x"}`} {
		if u, ok := ReadUsage([]byte(bad)); ok {
			t.Errorf("%s: usage %+v", bad, u)
		}
	}
}

func TestAnswerContent(t *testing.T) {
	n, ok := AnswerContent([]byte(`{"choices":[{"message":{"content":"caf\u00e9","tool_calls":[{"function":{"arguments":"{}"}}]}}]}`))
	if !ok || n != len("café")+2 {
		t.Errorf("content = %d, %v", n, ok)
	}
}

// FuzzReadUsage checks the usage walk against encoding/json.
func FuzzReadUsage(f *testing.F) {
	f.Add(`{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":3}}`)
	f.Add(`{"prompt_tokens":1,"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":2}}`)
	f.Fuzz(func(t *testing.T, obj string) {
		var got Usage
		if !readUsage([]byte(obj), 0, &got) || !json.Valid([]byte(obj)) {
			return
		}
		var want Usage
		if err := json.Unmarshal([]byte(obj), &want); err != nil {
			t.Fatalf("walk read %+v from %s, decode failed: %v", got, obj, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("%s: walk and decode differ (-decode +walk):\n%s", obj, d)
		}
	})
}
