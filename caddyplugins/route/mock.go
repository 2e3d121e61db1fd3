package route

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/mockllm"
	"github.com/aigw/aigw/internal/oai"
)

// mockChat answers a chat request in process, as a provider of type mock does:
// deterministic text after the provider's latency, streamed with its chunk delay.
func mockChat(ctx context.Context, w http.ResponseWriter, p *catalog.Provider, req *oai.ChatRequest, model string, st *state.Request) error {
	if !sleep(ctx, p.MockLatency) {
		return ctx.Err()
	}
	a := mockllm.Chat(req)
	st.Usage = state.Usage{PromptTokens: a.PromptTokens, CompletionTokens: a.CompletionTokens, Reported: true}
	id := "chatcmpl-" + strings.TrimPrefix(st.ID, "req_")
	created := time.Now().Unix()
	st.FirstByte = time.Now()
	if !req.Stream {
		body, err := json.Marshal(mockllm.Completion(&a, id, model, created))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, err = w.Write(body)
		return err
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for i, c := range mockllm.Chunks(&a, id, model, created, includeUsage) {
		if i > 0 && !sleep(ctx, p.MockChunkDelay) {
			return ctx.Err()
		}
		if err := oai.WriteSSE(w, c); err != nil {
			return err
		}
		if err := rc.Flush(); err != nil {
			return err
		}
	}
	if _, err := w.Write(oai.SSEDone); err != nil {
		return err
	}
	return rc.Flush()
}

// mockEmbeddings answers an embeddings request in process.
func mockEmbeddings(ctx context.Context, w http.ResponseWriter, p *catalog.Provider, req *oai.EmbeddingRequest, m *catalog.Model, st *state.Request) error {
	if !sleep(ctx, p.MockLatency) {
		return ctx.Err()
	}
	inputs, err := req.Inputs()
	if err != nil {
		return err
	}
	dims := m.Dimensions
	if req.Dimensions != nil && *req.Dimensions < dims {
		dims = *req.Dimensions
	}
	list := mockllm.Embeddings(inputs, m.ID, dims, req.EncodingFormat == "base64")
	st.Usage = state.Usage{PromptTokens: list.Usage.PromptTokens, Reported: true}
	body, err := json.Marshal(list)
	if err != nil {
		return err
	}
	st.FirstByte = time.Now()
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}

// sleep waits d or until ctx ends; it reports whether it waited the whole d.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
