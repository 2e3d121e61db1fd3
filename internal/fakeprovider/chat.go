package fakeprovider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/aigw/aigw/internal/mockllm"
	"github.com/aigw/aigw/internal/oai"
)

// created is fixed so answers are byte-for-byte repeatable.
const created = 1700000000

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.record(r, body)
	var req oai.ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request.")
		return
	}
	f := parseFault(req.Model)
	if !s.preamble(w, r, f, req.Model, openAIFaults) {
		return
	}
	a := mockllm.Chat(&req)
	id := fmt.Sprintf("chatcmpl-fake%d", s.requests.Load())
	w.Header().Set("x-request-id", "req_"+id)
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(mockllm.Completion(&a, id, req.Model, created)) //nolint:errcheck
		return
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	s.stream(w, r, mockllm.Chunks(&a, id, req.Model, created, includeUsage), f)
}

// openAIFaults writes the OpenAI form of the fault errors.
func openAIFaults(w http.ResponseWriter, status int, f fault) {
	switch {
	case f.context:
		writeError(w, http.StatusBadRequest, "context_length_exceeded",
			"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.")
	case f.overloaded:
		writeError(w, http.StatusServiceUnavailable, "overloaded", "The server is overloaded.")
	default:
		writeError(w, status, "fake_fault", fmt.Sprintf("fake provider fault %d", status))
	}
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, chunks []*oai.ChatChunk, f fault) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	for i, c := range chunks {
		if f.cut && i == len(chunks)/2 {
			panic(http.ErrAbortHandler) // drops the connection mid-stream, as a crashed upstream would
		}
		if i > 0 && !s.wait(r, f.chunkDelay) {
			return
		}
		if err := oai.WriteSSE(w, c); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	w.Write(oai.SSEDone) //nolint:errcheck
	if flusher != nil {
		flusher.Flush()
	}
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.record(r, body)
	var req oai.EmbeddingRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request.")
		return
	}
	f := parseFault(req.Model)
	if !s.wait(r, f.delay) {
		return
	}
	if f.status != 0 {
		writeError(w, f.status, "fake_fault", fmt.Sprintf("fake provider fault %d", f.status))
		return
	}
	inputs, err := req.Inputs()
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_input", err.Error())
		return
	}
	dims := s.Dimensions
	if req.Dimensions != nil {
		dims = *req.Dimensions
	}
	w.Header().Set("Content-Type", "application/json")
	list := mockllm.Embeddings(inputs, req.Model, dims, req.EncodingFormat == "base64")
	json.NewEncoder(w).Encode(list) //nolint:errcheck
}
