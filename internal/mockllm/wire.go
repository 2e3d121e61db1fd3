package mockllm

import (
	"fmt"
	"strings"

	"github.com/aigw/aigw/internal/oai"
)

// Completion renders a as a chat.completion object.
func Completion(a *Answer, id, model string, created int64) *oai.ChatCompletion {
	content := a.Content()
	return &oai.ChatCompletion{
		ID: id, Object: "chat.completion", Created: created, Model: model,
		SystemFingerprint: "fp_aigw_mock",
		Choices: []oai.Choice{{
			Message:      oai.ResponseMessage{Role: "assistant", Content: &content},
			FinishReason: a.FinishReason,
		}},
		Usage: usage(a),
	}
}

// Chunks renders a as the chat.completion.chunk events of a stream: a role
// chunk, one chunk per piece, a finish chunk, and, with includeUsage, a final
// chunk with no choices and the usage.
func Chunks(a *Answer, id, model string, created int64, includeUsage bool) []*oai.ChatChunk {
	mk := func(d oai.Delta, finish *string) *oai.ChatChunk {
		return &oai.ChatChunk{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: "fp_aigw_mock",
			Choices:           []oai.ChunkChoice{{Delta: d, FinishReason: finish}},
		}
	}
	out := []*oai.ChatChunk{mk(oai.Delta{Role: "assistant"}, nil)}
	for _, p := range a.Pieces {
		out = append(out, mk(oai.Delta{Content: p}, nil))
	}
	finish := a.FinishReason
	out = append(out, mk(oai.Delta{}, &finish))
	if includeUsage {
		out = append(out, &oai.ChatChunk{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: "fp_aigw_mock", Choices: []oai.ChunkChoice{}, Usage: usage(a),
		})
	}
	return out
}

func usage(a *Answer) *oai.Usage {
	return &oai.Usage{
		PromptTokens: a.PromptTokens, CompletionTokens: a.CompletionTokens,
		TotalTokens:         a.PromptTokens + a.CompletionTokens,
		PromptTokensDetails: &oai.PromptTokensDetails{},
	}
}

// Embeddings answers an embedding request with dims-long vectors.
func Embeddings(inputs []oai.EmbeddingInput, model string, dims int, base64Format bool) *oai.EmbeddingList {
	list := &oai.EmbeddingList{Object: "list", Model: model, Data: make([]oai.Embedding, len(inputs))}
	for i, in := range inputs {
		text := in.Text
		tokens := CountTokens(text)
		if in.Tokens != nil {
			text = strings.Trim(fmt.Sprint(in.Tokens), "[]")
			tokens = len(in.Tokens)
		}
		vec := Embed(text, dims)
		var v any = vec
		if base64Format {
			v = EncodeBase64(vec)
		}
		list.Data[i] = oai.Embedding{Object: "embedding", Index: i, Embedding: v}
		list.Usage.PromptTokens += tokens
	}
	list.Usage.TotalTokens = list.Usage.PromptTokens
	return list
}
