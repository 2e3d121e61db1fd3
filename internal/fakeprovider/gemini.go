package fakeprovider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aigw/aigw/internal/mockllm"
	"github.com/aigw/aigw/internal/oai"
)

// gemRequest is the part of a generateContent body the fake reads.
type gemRequest struct {
	Contents []struct {
		Role  string    `json:"role"`
		Parts []gemPart `json:"parts"`
	} `json:"contents"`
	SystemInstruction *struct {
		Parts []gemPart `json:"parts"`
	} `json:"systemInstruction"`
	Tools []struct {
		FunctionDeclarations []struct {
			Name string `json:"name"`
		} `json:"functionDeclarations"`
	} `json:"tools"`
	ToolConfig *struct {
		FunctionCallingConfig struct {
			Mode                 string   `json:"mode"`
			AllowedFunctionNames []string `json:"allowedFunctionNames"`
		} `json:"functionCallingConfig"`
	} `json:"toolConfig"`
	GenerationConfig *struct {
		MaxOutputTokens  int    `json:"maxOutputTokens"`
		ResponseMimeType string `json:"responseMimeType"`
	} `json:"generationConfig"`
}

type gemPart struct {
	Text             string          `json:"text,omitempty"`
	FunctionResponse json.RawMessage `json:"functionResponse,omitempty"`
}

func writeGeminiError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	retryAfter(w, code)
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"status":%q}}`, code, msg, status)
}

func geminiStatus(code int) string {
	switch code {
	case 400:
		return "INVALID_ARGUMENT"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 503:
		return "UNAVAILABLE"
	case 504:
		return "DEADLINE_EXCEEDED"
	}
	return "INTERNAL"
}

func geminiFaults(w http.ResponseWriter, status int, f fault) {
	switch {
	case f.overloaded:
		writeGeminiError(w, 503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
	case f.context:
		writeGeminiError(w, 400, "INVALID_ARGUMENT", "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).")
	case status == 429:
		writeGeminiError(w, 429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
	default:
		writeGeminiError(w, status, geminiStatus(status), fmt.Sprintf("fake provider fault %d", status))
	}
}

// gemini serves models/{model}:{method} under /v1/ and /v1beta/.
func (s *Server) gemini(w http.ResponseWriter, r *http.Request) {
	model, method, _ := strings.Cut(r.PathValue("action"), ":")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.record(r, body)
	f := parseFault(model)
	switch method {
	case "embedContent", "batchEmbedContents":
		if s.preamble(w, r, f, model, geminiFaults) {
			s.geminiEmbed(w, body, method == "batchEmbedContents")
		}
		return
	case "generateContent", "streamGenerateContent":
	default:
		writeGeminiError(w, 404, "NOT_FOUND", fmt.Sprintf("method %q not found", method))
		return
	}
	var req gemRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Contents) == 0 {
		writeGeminiError(w, 400, "INVALID_ARGUMENT", "contents is not specified")
		return
	}
	if !s.preamble(w, r, f, model, geminiFaults) {
		return
	}
	chunks := geminiChunks(&req, model, fmt.Sprintf("fake-resp-%d", s.requests.Load()), f)
	if method == "generateContent" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(mergeChunks(chunks)) //nolint:errcheck
		return
	}
	if r.URL.Query().Get("alt") == "sse" {
		events := make([]sseEvent, len(chunks))
		for i, c := range chunks {
			events[i] = sseEvent{data: c}
		}
		s.sse(w, r, events, f)
		return
	}
	s.jsonArray(w, chunks)
}

// jsonArray streams chunks as one JSON array, as streamGenerateContent does
// without alt=sse.
func (s *Server) jsonArray(w http.ResponseWriter, chunks []map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	flusher, _ := w.(http.Flusher)
	for i, c := range chunks {
		sep := ",\r\n"
		if i == 0 {
			sep = "["
		}
		b, _ := json.Marshal(c)
		w.Write(append([]byte(sep), b...)) //nolint:errcheck
		if flusher != nil {
			flusher.Flush()
		}
	}
	w.Write([]byte("]")) //nolint:errcheck
}

// geminiChunks is the streamed answer: a chunk per piece of mockllm's text
// (or one function call), the last with the finish reason; every chunk
// carries the usage so far.
func geminiChunks(req *gemRequest, model, id string, f fault) []map[string]any {
	or := oai.ChatRequest{Model: model}
	if gc := req.GenerationConfig; gc != nil && gc.MaxOutputTokens > 0 {
		or.MaxTokens = &gc.MaxOutputTokens
	}
	if req.SystemInstruction != nil {
		for _, p := range req.SystemInstruction.Parts {
			or.Messages = append(or.Messages, oai.Message{Role: "system", Content: mustJSON(p.Text)})
		}
	}
	last, lastIsResult := "", false
	for _, c := range req.Contents {
		text := ""
		lastIsResult = false
		for _, p := range c.Parts {
			text += p.Text
			lastIsResult = lastIsResult || len(p.FunctionResponse) > 0
		}
		role := "user"
		if c.Role == "model" {
			role = "assistant"
		} else {
			last = text
		}
		or.Messages = append(or.Messages, oai.Message{Role: role, Content: mustJSON(text)})
	}
	a := mockllm.Chat(&or)
	usage := func(done int) map[string]int {
		return map[string]int{"promptTokenCount": a.PromptTokens, "candidatesTokenCount": done, "totalTokenCount": a.PromptTokens + done}
	}
	chunk := func(parts []map[string]any, finish string, done int) map[string]any {
		cand := map[string]any{"content": map[string]any{"role": "model", "parts": parts}, "index": 0}
		if finish != "" {
			cand["finishReason"] = finish
		}
		return map[string]any{"candidates": []any{cand}, "usageMetadata": usage(done), "modelVersion": model, "responseId": id}
	}
	if f.streamError {
		return []map[string]any{{"error": map[string]any{"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}}
	}
	var out []map[string]any
	if f.thinking {
		out = append(out, chunk([]map[string]any{{"text": "Let me think about the answer.", "thought": true}}, "", 0))
	}
	if fn := geminiTool(req, lastIsResult); fn != "" {
		call := map[string]any{"functionCall": map[string]any{"name": fn, "args": map[string]string{"echo": last}}}
		return append(out, chunk([]map[string]any{call}, "STOP", 3))
	}
	if gc := req.GenerationConfig; gc != nil && gc.ResponseMimeType == "application/json" {
		return append(out, chunk([]map[string]any{{"text": string(mustJSON(map[string]string{"echo": last}))}}, "STOP", 3))
	}
	finish := "STOP"
	if a.FinishReason == "length" {
		finish = "MAX_TOKENS"
	}
	for i, p := range a.Pieces {
		fin := ""
		if i == len(a.Pieces)-1 {
			fin = finish
		}
		out = append(out, chunk([]map[string]any{{"text": p}}, fin, i+1))
	}
	return out
}

// geminiTool names the function the fake calls, if any.
func geminiTool(req *gemRequest, lastIsResult bool) string {
	if len(req.Tools) == 0 || len(req.Tools[0].FunctionDeclarations) == 0 || lastIsResult {
		return ""
	}
	if tc := req.ToolConfig; tc != nil {
		if tc.FunctionCallingConfig.Mode == "NONE" {
			return ""
		}
		if names := tc.FunctionCallingConfig.AllowedFunctionNames; len(names) > 0 {
			return names[0]
		}
	}
	return req.Tools[0].FunctionDeclarations[0].Name
}

// mergeChunks makes the non-streamed answer from the streamed chunks.
func mergeChunks(chunks []map[string]any) map[string]any {
	if len(chunks) == 0 {
		return map[string]any{}
	}
	if _, isErr := chunks[0]["error"]; isErr {
		return chunks[0]
	}
	var parts []map[string]any
	var text strings.Builder
	finish := ""
	for _, c := range chunks {
		cand := c["candidates"].([]any)[0].(map[string]any)
		for _, p := range cand["content"].(map[string]any)["parts"].([]map[string]any) {
			if t, ok := p["text"].(string); ok && p["thought"] == nil {
				text.WriteString(t)
			} else {
				parts = append(parts, p)
			}
		}
		if f, ok := cand["finishReason"].(string); ok {
			finish = f
		}
	}
	if text.Len() > 0 {
		parts = append(parts, map[string]any{"text": text.String()})
	}
	last := chunks[len(chunks)-1]
	return map[string]any{
		"candidates":    []any{map[string]any{"content": map[string]any{"role": "model", "parts": parts}, "finishReason": finish, "index": 0}},
		"usageMetadata": last["usageMetadata"], "modelVersion": last["modelVersion"], "responseId": last["responseId"],
	}
}

func (s *Server) geminiEmbed(w http.ResponseWriter, body []byte, batch bool) {
	type embedReq struct {
		Content struct {
			Parts []gemPart `json:"parts"`
		} `json:"content"`
		OutputDimensionality int `json:"outputDimensionality"`
	}
	var reqs []embedReq
	if batch {
		var b struct {
			Requests []embedReq `json:"requests"`
		}
		json.Unmarshal(body, &b) //nolint:errcheck // empty requests are refused below
		reqs = b.Requests
	} else {
		var one embedReq
		if json.Unmarshal(body, &one) == nil {
			reqs = []embedReq{one}
		}
	}
	if len(reqs) == 0 {
		writeGeminiError(w, 400, "INVALID_ARGUMENT", "content is required")
		return
	}
	var out []map[string]any
	for _, rq := range reqs {
		text := ""
		for _, p := range rq.Content.Parts {
			text += p.Text
		}
		dims := s.Dimensions
		if rq.OutputDimensionality > 0 {
			dims = rq.OutputDimensionality
		}
		out = append(out, map[string]any{"values": mockllm.Embed(text, dims)})
	}
	w.Header().Set("Content-Type", "application/json")
	if batch {
		json.NewEncoder(w).Encode(map[string]any{"embeddings": out}) //nolint:errcheck
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"embedding": out[0]}) //nolint:errcheck
}
