package ratelimit

import (
	"net/http"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/tokenizer"
)

// estimate reads the request (parsed once, shared with the rest of the
// chain) and estimates its tokens and cost: the prompt counted with the
// model's tokenizer, the completion as max_tokens (times n), or the default
// capped by the model's output limit when max_tokens is not set.
func (h *Handler) estimate(r *http.Request, st *state.Request) (estimate, error) {
	var est estimate
	if r.Method != http.MethodPost {
		return est, nil
	}
	switch st.Endpoint {
	case state.EndpointChat:
		req, err := st.Chat(r)
		if err != nil {
			return est, err
		}
		est.model = h.resolve(req.Model)
		enc := h.encoding(est.model, req.Model)
		for i := range req.Messages {
			text, _ := req.Messages[i].Text() // validated by Chat
			est.prompt += tokenizer.TokensPerMessage + tokenizer.Count(enc, text)
		}
		est.prompt += tokenizer.TokensReplyPrime + (len(req.Tools)+3)/4
		est.completion = req.OutputLimit()
		if est.completion == 0 {
			est.completion = h.DefaultMaxTokens
			if est.model != nil && est.model.MaxOutputTokens > 0 {
				est.completion = min(est.completion, est.model.MaxOutputTokens)
			}
		}
		if req.N != nil {
			est.completion *= *req.N
		}
	case state.EndpointEmbeddings:
		req, err := st.Embedding(r)
		if err != nil {
			return est, err
		}
		est.model = h.resolve(req.Model)
		enc := h.encoding(est.model, req.Model)
		inputs, _ := req.Inputs() // validated by Embedding
		for _, in := range inputs {
			est.prompt += len(in.Tokens) + tokenizer.Count(enc, in.Text)
		}
	default:
		return est, nil
	}
	if est.model != nil {
		est.cost = int64(est.model.Cost(int64(est.prompt), 0, int64(est.completion)))
	}
	st.EstPromptTokens, st.EstCompletionTokens = est.prompt, est.completion
	return est, nil
}

// resolve returns the catalog model name refers to, or nil: an unknown model
// is the router's to refuse.
func (h *Handler) resolve(name string) *catalog.Model {
	m, err := h.catalog.Resolve(name)
	if err != nil {
		return nil
	}
	return m
}

// encoding picks the tokenizer: tiktoken for models an OpenAI provider
// serves (by their upstream name), the heuristic for the rest.
func (h *Handler) encoding(m *catalog.Model, name string) tokenizer.Encoding {
	if m == nil {
		return tokenizer.ForModel(name, false)
	}
	openAI := false
	if p := h.catalog.Provider(m.Provider); p != nil {
		openAI = p.Type == catalog.TypeOpenAI
	}
	return tokenizer.ForModel(m.Upstream, openAI)
}
