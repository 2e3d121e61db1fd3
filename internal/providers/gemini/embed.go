package gemini

import (
	"encoding/json"
	"fmt"

	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

type embedRequest struct {
	Model                string  `json:"model,omitempty"`
	Content              content `json:"content"`
	OutputDimensionality *int    `json:"outputDimensionality,omitempty"`
}

type batchEmbedRequest struct {
	Requests []embedRequest `json:"requests"`
}

type embedding struct {
	Values []float32 `json:"values"`
}

// BuildEmbedRequest translates an OpenAI embeddings request: one input goes
// to embedContent, several to batchEmbedContents. It returns the body and the
// path under the API root. Token-id inputs have no Gemini equivalent.
func BuildEmbedRequest(r *oai.EmbeddingRequest, model string) (body []byte, path string, err error) {
	inputs, err := r.Inputs()
	if err != nil {
		return nil, "", providers.Invalid("input", err.Error())
	}
	reqs := make([]embedRequest, len(inputs))
	for i, in := range inputs {
		if in.Tokens != nil {
			return nil, "", providers.Invalid("input", "Gemini embedding models take text, not token ids.")
		}
		reqs[i] = embedRequest{Model: "models/" + model, Content: content{Parts: []part{{Text: in.Text}}}, OutputDimensionality: r.Dimensions}
	}
	if len(reqs) == 1 {
		reqs[0].Model = ""
		body, err = json.Marshal(&reqs[0])
		path = "/models/" + model + ":embedContent"
	} else {
		body, err = json.Marshal(&batchEmbedRequest{Requests: reqs})
		path = "/models/" + model + ":batchEmbedContents"
	}
	if err != nil {
		return nil, "", providers.Invalid("input", "The request could not be translated for Gemini.")
	}
	return body, path, nil
}

// TranslateEmbedResponse turns an embedContent or batchEmbedContents answer
// into an OpenAI embedding list. Gemini reports no token usage, so the usage
// is estimated (one token per four bytes of text) and reported false.
func TranslateEmbedResponse(body []byte, r *oai.EmbeddingRequest, model string) ([]byte, oai.EmbeddingUsage, error) {
	var v struct {
		Embedding  *embedding  `json:"embedding"`
		Embeddings []embedding `json:"embeddings"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, oai.EmbeddingUsage{}, fmt.Errorf("decoding Gemini embeddings: %w", err)
	}
	if v.Embedding != nil {
		v.Embeddings = []embedding{*v.Embedding}
	}
	inputs, _ := r.Inputs()
	if len(v.Embeddings) != len(inputs) {
		return nil, oai.EmbeddingUsage{}, fmt.Errorf("gemini returned %d embeddings for %d inputs", len(v.Embeddings), len(inputs))
	}
	list := oai.EmbeddingList{Object: "list", Model: model, Data: make([]oai.Embedding, len(v.Embeddings))}
	for i, e := range v.Embeddings {
		var vec any = e.Values
		if r.EncodingFormat == "base64" {
			vec = encodeBase64(e.Values)
		}
		list.Data[i] = oai.Embedding{Object: "embedding", Index: i, Embedding: vec}
		list.Usage.PromptTokens += (len(inputs[i].Text) + 3) / 4
	}
	list.Usage.TotalTokens = list.Usage.PromptTokens
	out, err := json.Marshal(&list)
	return out, list.Usage, err
}
