package usage

import "testing"

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Call
		want Bill
	}{
		{"reported usage wins over everything", Call{Reported: true, PromptTokens: 12, CachedTokens: 4, CompletionTokens: 30, Called: true, Counted: true, Content: 999, EstPrompt: 50, EstCompletion: 400},
			Bill{Prompt: 12, Cached: 4, Completion: 30, Source: Reported}},
		{"a cut stream bills the content read", Call{Called: true, Counted: true, Content: 41, EstPrompt: 20, EstCompletion: 400},
			Bill{Prompt: 20, Completion: 11, Source: Counted}},
		{"a stream cut before any content bills the prompt", Call{Called: true, Counted: true, EstPrompt: 20, EstCompletion: 400},
			Bill{Prompt: 20, Source: Counted}},
		{"no prompt estimate: the body's size", Call{Called: true, Counted: true, Content: 8, PromptBytes: 401},
			Bill{Prompt: 101, Completion: 2, Source: Counted}},
		{"a client gone while the provider worked: the estimates", Call{Called: true, EstPrompt: 20, EstCompletion: 400},
			Bill{Prompt: 20, Completion: 400, Source: Estimated}},
		{"a provider error or a refusal bills nothing", Call{EstPrompt: 20, EstCompletion: 400, PromptBytes: 300},
			Bill{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Decide(tc.in); got != tc.want {
				t.Errorf("Decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}
