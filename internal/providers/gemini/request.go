// Package gemini translates between OpenAI chat completions and embeddings
// and the Gemini API (generateContent, streamGenerateContent with alt=sse,
// embedContent, batchEmbedContents): requests, answers, streamed chunks and
// errors.
package gemini

import (
	"encoding/json"
	"fmt"

	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

// Options are per-deployment settings of a translation.
type Options struct {
	// DropParams drops unsupported parameters instead of refusing them.
	DropParams bool
}

type request struct {
	Contents          []content         `json:"contents"`
	SystemInstruction *content          `json:"systemInstruction,omitempty"`
	Tools             []toolSet         `json:"tools,omitempty"`
	ToolConfig        *toolConfig       `json:"toolConfig,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
}

type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

type part struct {
	Text             string            `json:"text,omitempty"`
	Thought          bool              `json:"thought,omitempty"`
	InlineData       *blob             `json:"inlineData,omitempty"`
	FileData         *fileData         `json:"fileData,omitempty"`
	FunctionCall     *functionCall     `json:"functionCall,omitempty"`
	FunctionResponse *functionResponse `json:"functionResponse,omitempty"`
}

type blob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type fileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type functionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

type functionResponse struct {
	ID       string          `json:"id,omitempty"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

type toolSet struct {
	FunctionDeclarations []functionDecl `json:"functionDeclarations"`
}

type functionDecl struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
}

type toolConfig struct {
	FunctionCallingConfig functionCallingConfig `json:"functionCallingConfig"`
}

type functionCallingConfig struct {
	Mode                 string   `json:"mode"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

type generationConfig struct {
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"topP,omitempty"`
	MaxOutputTokens    int             `json:"maxOutputTokens,omitempty"`
	StopSequences      []string        `json:"stopSequences,omitempty"`
	Seed               *int64          `json:"seed,omitempty"`
	CandidateCount     int             `json:"candidateCount,omitempty"`
	PresencePenalty    *float64        `json:"presencePenalty,omitempty"`
	FrequencyPenalty   *float64        `json:"frequencyPenalty,omitempty"`
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
	ResponseLogprobs   bool            `json:"responseLogprobs,omitempty"`
	Logprobs           *int            `json:"logprobs,omitempty"`
}

// BuildRequest translates an OpenAI chat request into a generateContent body.
// The model and the streaming choice go in the URL (see Path).
func BuildRequest(r *oai.ChatParams, o Options) ([]byte, error) {
	if e := checkUnsupported(r, o.DropParams); e != nil {
		return nil, e
	}
	var out request
	names := map[string]string{} // tool call id -> function name, for tool results
	if e := convertMessages(r, &out, names); e != nil {
		return nil, e
	}
	if e := convertTools(r, &out); e != nil {
		return nil, e
	}
	gc, e := generation(r)
	if e != nil {
		return nil, e
	}
	out.GenerationConfig = gc
	body, err := json.Marshal(&out)
	if err != nil {
		return nil, providers.Invalid("messages", "The request could not be translated for Gemini.")
	}
	return body, nil
}

// Path returns the request path under the API root for model: the streamed
// variant uses server-sent events.
func Path(model string, stream bool) string {
	if stream {
		return "/models/" + model + ":streamGenerateContent?alt=sse"
	}
	return "/models/" + model + ":generateContent"
}

func checkUnsupported(r *oai.ChatParams, drop bool) error {
	unsupported := []struct {
		param string
		set   bool
	}{
		{"logit_bias", len(r.LogitBias) > 0 && string(r.LogitBias) != "null"},
		{"audio", len(r.Audio) > 0 && string(r.Audio) != "null"},
		{"prediction", len(r.Prediction) > 0 && string(r.Prediction) != "null"},
		{"n", r.Stream && r.N != nil && *r.N > 1},
	}
	for _, u := range unsupported {
		if u.set && !drop {
			return providers.Unsupported(u.param, "Gemini")
		}
	}
	return nil
}

func generation(r *oai.ChatParams) (*generationConfig, error) {
	gc := &generationConfig{
		Temperature: r.Temperature, TopP: r.TopP, MaxOutputTokens: r.OutputLimit(), Seed: r.Seed,
		PresencePenalty: r.PresencePenalty, FrequencyPenalty: r.FrequencyPenalty,
	}
	if r.N != nil && *r.N > 1 && !r.Stream {
		gc.CandidateCount = *r.N
	}
	if r.Logprobs != nil && *r.Logprobs {
		gc.ResponseLogprobs = true
		gc.Logprobs = r.TopLogprobs
	}
	stops, err := r.StopSequences()
	if err != nil {
		return nil, providers.Invalid("stop", err.Error())
	}
	gc.StopSequences = stops
	if rf := r.ResponseFormat; rf != nil {
		switch rf.Type {
		case "", "text":
		case "json_object":
			gc.ResponseMimeType = "application/json"
		case "json_schema":
			if rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0 {
				return nil, providers.Invalid("response_format.json_schema", "json_schema needs a schema.")
			}
			gc.ResponseMimeType = "application/json"
			gc.ResponseJSONSchema = rf.JSONSchema.Schema
		default:
			return nil, providers.Invalid("response_format.type", fmt.Sprintf("response_format type %q: want text, json_object or json_schema.", rf.Type))
		}
	}
	return gc, nil
}

func convertMessages(r *oai.ChatParams, out *request, names map[string]string) error {
	for i := range r.Messages {
		m := &r.Messages[i]
		param := fmt.Sprintf("messages[%d]", i)
		switch m.Role {
		case "system", "developer":
			text, err := m.Text()
			if err != nil {
				return providers.Invalid(param+".content", err.Error())
			}
			if out.SystemInstruction == nil {
				out.SystemInstruction = &content{}
			}
			out.SystemInstruction.Parts = append(out.SystemInstruction.Parts, part{Text: text})
		case "user":
			parts, e := userParts(m, param)
			if e != nil {
				return e
			}
			out.appendContent("user", parts...)
		case "assistant":
			parts, e := modelParts(m, param, names)
			if e != nil {
				return e
			}
			if len(parts) > 0 {
				out.appendContent("model", parts...)
			}
		case "tool", "function":
			p, e := toolResult(m, param, names)
			if e != nil {
				return e
			}
			out.appendContent("user", p)
		}
	}
	if len(out.Contents) == 0 {
		return providers.Invalid("messages", "Gemini needs at least one user message besides the system prompt.")
	}
	return nil
}

// appendContent merges consecutive turns of the same role, as Gemini wants
// user and model turns to alternate.
func (out *request) appendContent(role string, parts ...part) {
	if n := len(out.Contents); n > 0 && out.Contents[n-1].Role == role {
		out.Contents[n-1].Parts = append(out.Contents[n-1].Parts, parts...)
		return
	}
	out.Contents = append(out.Contents, content{Role: role, Parts: parts})
}

func userParts(m *oai.Message, param string) ([]part, error) {
	ps, err := m.Parts()
	if err != nil {
		return nil, providers.Invalid(param+".content", err.Error())
	}
	parts := make([]part, 0, len(ps))
	for j, p := range ps {
		switch p.Type {
		case "text":
			parts = append(parts, part{Text: p.Text})
		case "image_url":
			if p.ImageURL == nil || p.ImageURL.URL == "" {
				return nil, providers.Invalid(fmt.Sprintf("%s.content[%d].image_url", param, j), "An image_url part needs a url.")
			}
			if mt, data, ok := oai.DataURL(p.ImageURL.URL); ok {
				parts = append(parts, part{InlineData: &blob{MimeType: mt, Data: data}})
			} else {
				parts = append(parts, part{FileData: &fileData{FileURI: p.ImageURL.URL}})
			}
		default:
			return nil, providers.Invalid(fmt.Sprintf("%s.content[%d].type", param, j),
				fmt.Sprintf("Content parts of type %q are not supported by Gemini models.", p.Type))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, part{Text: ""})
	}
	return parts, nil
}

func modelParts(m *oai.Message, param string, names map[string]string) ([]part, error) {
	text, err := m.Text()
	if err != nil {
		return nil, providers.Invalid(param+".content", err.Error())
	}
	var parts []part
	if text != "" {
		parts = append(parts, part{Text: text})
	}
	calls, err := m.Calls()
	if err != nil {
		return nil, providers.Invalid(param+".tool_calls", err.Error())
	}
	for j, tc := range calls {
		args := json.RawMessage(tc.Function.Arguments)
		if len(args) == 0 {
			args = json.RawMessage("{}")
		}
		if !json.Valid(args) {
			return nil, providers.Invalid(fmt.Sprintf("%s.tool_calls[%d].function.arguments", param, j), "Tool call arguments must be a JSON object.")
		}
		names[tc.ID] = tc.Function.Name
		parts = append(parts, part{FunctionCall: &functionCall{Name: tc.Function.Name, Args: args}})
	}
	return parts, nil
}

func toolResult(m *oai.Message, param string, names map[string]string) (part, error) {
	text, err := m.Text()
	if err != nil {
		return part{}, providers.Invalid(param+".content", err.Error())
	}
	name := names[m.ToolCallID]
	if name == "" {
		name = m.Name
	}
	if name == "" {
		return part{}, providers.Invalid(param+".tool_call_id", "A tool message must answer a tool call of an earlier assistant message.")
	}
	// Gemini wants an object; a JSON object result is passed as is, anything
	// else is wrapped.
	resp := json.RawMessage(text)
	if len(text) == 0 || text[0] != '{' || !json.Valid(resp) {
		wrapped, _ := json.Marshal(map[string]string{"result": text})
		resp = wrapped
	}
	return part{FunctionResponse: &functionResponse{Name: name, Response: resp}}, nil
}

func convertTools(r *oai.ChatParams, out *request) error {
	var decls []functionDecl
	for i, t := range r.Tools {
		if t.Type != "function" || t.Function.Name == "" {
			return providers.Invalid(fmt.Sprintf("tools[%d]", i), "Only tools of type function with a name are supported.")
		}
		d := functionDecl{Name: t.Function.Name, Description: t.Function.Description}
		if len(t.Function.Parameters) > 0 && string(t.Function.Parameters) != "null" {
			d.ParametersJSONSchema = t.Function.Parameters
		}
		decls = append(decls, d)
	}
	tc, err := r.ParseToolChoice()
	if err != nil {
		return providers.Invalid("tool_choice", err.Error())
	}
	if len(decls) == 0 {
		return nil
	}
	out.Tools = []toolSet{{FunctionDeclarations: decls}}
	switch tc.Mode {
	case "none":
		out.ToolConfig = &toolConfig{FunctionCallingConfig: functionCallingConfig{Mode: "NONE"}}
	case "required":
		out.ToolConfig = &toolConfig{FunctionCallingConfig: functionCallingConfig{Mode: "ANY"}}
	case "function":
		out.ToolConfig = &toolConfig{FunctionCallingConfig: functionCallingConfig{Mode: "ANY", AllowedFunctionNames: []string{tc.Function}}}
	}
	return nil
}
