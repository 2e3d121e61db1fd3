package ratelimit

import (
	"net/http"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/tokenizer"
)

// Framing allowances of the prompt bound, in tokens: what a chat template
// adds around each message (OpenAI counts 3 or 4; Llama 3 and Gemma 5) and
// around the whole prompt, and the system prompt a provider adds to describe
// tools (Anthropic documents 264 to 346 tokens).
const (
	boundPerMessage = 8
	boundPerRequest = 16
	boundTools      = 600
)

// estimate reads the request (parsed once, shared with the rest of the
// chain) and estimates its tokens and cost: the prompt counted with the
// model's tokenizer, the completion as max_tokens (times n), or the default
// capped by the model's output limit when max_tokens is not set. It also
// bounds them (bound, cost): the reservation, which settling only lowers.
func (h *Handler) estimate(r *http.Request, st *state.Request) (estimate, error) {
	var est estimate
	if r.Method != http.MethodPost {
		return est, nil
	}
	var promptBound, completionBound int64
	switch st.Endpoint {
	case state.EndpointChat:
		req, err := st.Chat(r)
		if err != nil {
			return est, err
		}
		body, _ := st.Body(r)
		est.model = h.resolve(req.Model)
		h.estimateChat(&est, req)
		promptBound = h.chatPromptBound(req, len(body), est.model)
		completionBound = h.completionBound(req, est.model, promptBound)
	case state.EndpointEmbeddings:
		req, err := st.Embedding(r)
		if err != nil {
			return est, err
		}
		body, _ := st.Body(r)
		est.model = h.resolve(req.Model)
		enc := h.encoding(est.model, req.Model)
		inputs, _ := req.Inputs() // validated by Embedding
		for _, in := range inputs {
			est.prompt += len(in.Tokens) + tokenizer.Count(enc, in.Text)
		}
		// Every token is at least one byte of the body: a byte of text,
		// or a digit of a token id.
		promptBound = int64(len(body))
	default:
		return est, nil
	}
	est.bound = promptBound + completionBound
	if est.model != nil {
		est.cost = int64(est.model.Cost(promptBound, 0, completionBound))
	}
	st.EstPromptTokens, st.EstCompletionTokens = est.prompt, est.completion
	return est, nil
}

// estimateChat makes the best estimate of a chat call, for the usage row
// and the router: the prompt counted exactly for OpenAI models, at four
// bytes a token for others; the completion as max_tokens (times n), or the
// default capped by the model's output limit.
func (h *Handler) estimateChat(est *estimate, req *oai.ChatRequest) {
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
}

// chatPromptBound is the most prompt tokens a chat request of bodyLen bytes
// can be billed, whatever the provider's tokenizer: a byte-level BPE
// (OpenAI's, Llama 3's, Anthropic's) or a SentencePiece model with byte
// fallback (Gemini's, Llama 2's) makes at most one token of each byte of
// text, and every byte of text (of messages, names, tool calls and tool
// definitions) is a byte of the body, whose JSON framing more than pays for
// the chat template's. Images are not bytes of text: each counts as
// image_tokens instead of its URL. A file sent by id has no known size: the
// bound is then the model's context window, which no prompt exceeds.
func (h *Handler) chatPromptBound(req *oai.ChatRequest, bodyLen int, m *catalog.Model) int64 {
	bound := int64(bodyLen) + boundPerRequest
	fileRef := false
	for i := range req.Messages {
		media := req.Messages[i].Media()
		bound += boundPerMessage + int64(media.Images)*int64(h.ImageTokens) - int64(media.ImageURLBytes)
		fileRef = fileRef || media.FileRefs > 0
	}
	if len(req.Tools) > 0 && string(req.Tools) != "null" {
		bound += boundTools
	}
	if m != nil && m.ContextWindow > 0 && (fileRef || bound > int64(m.ContextWindow)) {
		bound = int64(m.ContextWindow)
	}
	return bound
}

// completionBound is the most completion tokens a chat call can be billed:
// max_tokens (or max_completion_tokens) times n, else the model's output
// limit, else what the context window leaves after the prompt.
func (h *Handler) completionBound(req *oai.ChatRequest, m *catalog.Model, prompt int64) int64 {
	limit := int64(req.OutputLimit())
	switch {
	case m != nil && m.MaxOutputTokens > 0 && (limit == 0 || limit > int64(m.MaxOutputTokens)):
		limit = int64(m.MaxOutputTokens)
	case limit > 0:
	case m != nil && m.ContextWindow > 0:
		limit = max(int64(m.ContextWindow)-prompt, 1)
	default:
		limit = int64(h.DefaultMaxTokens) // a model the catalog does not know: the router refuses it
	}
	if req.N != nil {
		limit *= int64(*req.N)
	}
	return limit
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
