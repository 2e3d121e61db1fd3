package oai

import (
	"encoding/json"
	"errors"
)

// EmbeddingRequest is a /v1/embeddings body. Input is kept raw and decoded by
// Inputs, because it may be a string, strings, tokens or arrays of tokens.
type EmbeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format,omitempty"`
	Dimensions     *int            `json:"dimensions,omitempty"`
	User           string          `json:"user,omitempty"`
}

// EmbeddingInput is one input of an embedding request: text, or token ids.
type EmbeddingInput struct {
	Text   string
	Tokens []int
}

// Inputs decodes Input.
func (r *EmbeddingRequest) Inputs() ([]EmbeddingInput, error) {
	in := r.Input
	if len(in) == 0 || string(in) == "null" {
		return nil, errors.New("input is required")
	}
	var s string
	if json.Unmarshal(in, &s) == nil {
		return []EmbeddingInput{{Text: s}}, nil
	}
	var ss []string
	if json.Unmarshal(in, &ss) == nil && len(ss) > 0 {
		out := make([]EmbeddingInput, len(ss))
		for i, v := range ss {
			out[i] = EmbeddingInput{Text: v}
		}
		return out, nil
	}
	var toks []int
	if json.Unmarshal(in, &toks) == nil && len(toks) > 0 {
		return []EmbeddingInput{{Tokens: toks}}, nil
	}
	var many [][]int
	if json.Unmarshal(in, &many) == nil && len(many) > 0 {
		out := make([]EmbeddingInput, len(many))
		for i, v := range many {
			out[i] = EmbeddingInput{Tokens: v}
		}
		return out, nil
	}
	return nil, errors.New("input must be a string, an array of strings, an array of tokens or an array of token arrays, and not empty")
}

// Validate checks the request as OpenAI would: a model, an input of one of
// its four shapes, and encoding_format and dimensions of the right values
// (the decode has typed the rest).
func (r *EmbeddingRequest) Validate() *ParamError {
	if r.Model == "" {
		return &ParamError{Param: "model", Code: CodeMissing, Message: "You must provide a model parameter."}
	}
	if len(r.Input) == 0 {
		return missing(param("input"))
	}
	if _, err := r.Inputs(); err != nil {
		return &ParamError{Param: "input", Code: CodeInvalidValue, Message: "Invalid 'input': " + err.Error() + "."}
	}
	switch r.EncodingFormat {
	case "", "float", "base64":
	default:
		return invalidValue(param("encoding_format"), r.EncodingFormat, []string{"float", "base64"})
	}
	if r.Dimensions != nil && *r.Dimensions < 1 {
		return outOfRange(param("dimensions"), float64(*r.Dimensions), 1, 1<<31, true)
	}
	return nil
}

// EmbeddingList is the answer of /v1/embeddings. Embedding values are
// []float32 or, for encoding_format base64, a base64 string of little-endian float32s.
type EmbeddingList struct {
	Object string         `json:"object"`
	Data   []Embedding    `json:"data"`
	Model  string         `json:"model"`
	Usage  EmbeddingUsage `json:"usage"`
}

// EmbeddingUsage is token accounting of an embedding answer.
type EmbeddingUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// Embedding is one vector of an EmbeddingList.
type Embedding struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"`
}
