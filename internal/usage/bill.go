package usage

// BytesPerToken is the rule of thumb that turns text the gateway counted into
// tokens when a provider reported none: about four bytes of English text a
// token (OpenAI's). It under-counts non-Latin scripts, which is why a
// provider's own count always wins.
const BytesPerToken = 4

// Source says where a call's billed tokens came from.
type Source string

// Sources of billed tokens, from the most trusted.
const (
	// Reported: the provider's usage.
	Reported Source = "reported"
	// Counted: the provider reported none (a stream cut short, a client gone
	// mid-stream): the prompt as estimated, the completion as the content the
	// gateway read from the provider, at BytesPerToken.
	Counted Source = "counted"
	// Estimated: nothing of the answer was read, but the provider took the
	// call (the client left while it was in flight): the gateway's estimates.
	Estimated Source = "estimated"
	// Unbilled: no provider took the call (refused by the gateway, a provider
	// error or timeout).
	Unbilled Source = ""
)

// Call is what a call's bill is decided from: what the router read of the
// provider's answer and what the gateway estimated before the call.
type Call struct {
	// Reported says the provider reported its usage: PromptTokens,
	// CachedTokens and CompletionTokens.
	Reported                                     bool
	PromptTokens, CachedTokens, CompletionTokens int
	// Called says the last provider call was taken: answered with success,
	// or in flight when the client left.
	Called bool
	// Counted says the router read the answer's content; Content is its
	// bytes of generated text and tool-call arguments.
	Counted bool
	Content int
	// EstPrompt and EstCompletion are the gateway's estimates, made before
	// the call; PromptBytes is the request body's size, for a prompt
	// estimate when none was made.
	EstPrompt, EstCompletion, PromptBytes int
}

// Bill is what a call is billed, in tokens.
type Bill struct {
	Prompt, Cached, Completion int
	Source                     Source
}

// Decide is the one rule for what a call is billed: the provider's usage;
// else the content the gateway counted (the prompt as estimated); else, for a
// call the provider took, the estimates; else nothing. The usage row, the
// cost headers and the budget settlement all use it, so budgets and bills
// agree.
func Decide(c Call) Bill {
	switch {
	case c.Reported:
		return Bill{Prompt: c.PromptTokens, Cached: c.CachedTokens, Completion: c.CompletionTokens, Source: Reported}
	case !c.Called:
		return Bill{}
	}
	prompt := c.EstPrompt
	if prompt == 0 {
		prompt = ceilDiv(c.PromptBytes, BytesPerToken)
	}
	if c.Counted {
		return Bill{Prompt: prompt, Completion: ceilDiv(c.Content, BytesPerToken), Source: Counted}
	}
	return Bill{Prompt: prompt, Completion: c.EstCompletion, Source: Estimated}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
