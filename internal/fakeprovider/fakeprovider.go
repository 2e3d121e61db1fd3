// Package fakeprovider is an HTTP server that speaks the wire formats of
// OpenAI (chat completions with SSE streaming, embeddings, models), Anthropic
// (POST /v1/messages, its SSE events included) and Gemini
// (models/{model}:generateContent, :streamGenerateContent as SSE with alt=sse
// or as a streamed JSON array, :embedContent, :batchEmbedContents, under /v1/
// and /v1beta/) with deterministic answers from mockllm, for tests and
// benchmarks. Each API checks its own credential header (Authorization:
// Bearer, x-api-key, x-goog-api-key). Faults are chosen by the upstream model
// name, so a test configures them in its models.yaml:
//
//	fake-status-<code>       answer with that HTTP status and the API's error body (429 and 503 with Retry-After: 1)
//	fake-delay-<duration>    wait before answering (e.g. fake-delay-2s)
//	fake-slowstream-<dur>    wait that long between streamed chunks
//	fake-hang                never answer; return when the client goes away
//	fake-cut                 stream half of the chunks, then drop the connection
//	fake-flaky-<n>           fail with 500 the first n calls of this model, then answer
//	fake-limited-<n>         answer 429 the first n calls of this model (Retry-After: 1, and OpenAI's finer Retry-After-Ms: 50), then answer
//	fake-overloaded          Anthropic overloaded_error (529) / Gemini UNAVAILABLE (503)
//	fake-context             the API's "prompt is too long" error (400)
//	fake-streamerror         start a stream, then send the API's error event before any content
//	fake-thinking            answer with reasoning (thinking blocks, thought parts) before the text
package fakeprovider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aigw/aigw/internal/oai"
)

// Server is the fake provider. The zero value is not usable; call New.
type Server struct {
	// APIKey, when set, is required as "Authorization: Bearer <APIKey>".
	APIKey string
	// Dimensions is the embedding length (default 8).
	Dimensions int

	mux       *http.ServeMux
	requests  atomic.Int64
	cancelled atomic.Int64

	mu    sync.Mutex
	last  Recorded
	calls map[string]int // calls per model name, for fake-flaky
}

// Recorded is what the server saw of the last request.
type Recorded struct {
	Path   string
	Header http.Header
	Body   []byte
}

// New returns a Server; mount it at the root (its paths start with /v1/).
func New(apiKey string) *Server {
	s := &Server{APIKey: apiKey, Dimensions: 8, mux: http.NewServeMux(), calls: map[string]int{}}
	s.mux.HandleFunc("POST /v1/chat/completions", s.chat)
	s.mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	s.mux.HandleFunc("GET /v1/models", s.models)
	s.mux.HandleFunc("POST /v1/messages", s.anthropic)
	s.mux.HandleFunc("POST /v1/models/{action}", s.gemini)
	s.mux.HandleFunc("POST /v1beta/models/{action}", s.gemini)
	// Azure OpenAI: the deployment is in the path, the model in the body.
	s.mux.HandleFunc("POST /openai/deployments/{deployment}/chat/completions", s.chat)
	s.mux.HandleFunc("POST /openai/deployments/{deployment}/embeddings", s.embeddings)
	return s
}

// Requests returns how many requests reached the server.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Cancelled returns how many requests ended because the client went away.
func (s *Server) Cancelled() int64 { return s.cancelled.Load() }

// Last returns a copy of what the server saw of the last request.
func (s *Server) Last() Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Recorded{Path: s.last.Path, Header: s.last.Header.Clone(), Body: append([]byte(nil), s.last.Body...)}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.APIKey != "" && !s.authorized(r) {
		switch api(r) {
		case "anthropic":
			writeAnthropicError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
		case "gemini":
			writeGeminiError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
		default:
			writeError(w, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
		}
		return
	}
	s.mux.ServeHTTP(w, r)
}

// api names the API a request path belongs to.
func api(r *http.Request) string {
	switch p := r.URL.Path; {
	case p == "/v1/messages":
		return "anthropic"
	case strings.Contains(p, ":"):
		return "gemini"
	case strings.HasPrefix(p, "/openai/deployments/"):
		return "azure"
	}
	return "openai"
}

// authorized checks the credential header of the request's API.
func (s *Server) authorized(r *http.Request) bool {
	switch api(r) {
	case "anthropic":
		return r.Header.Get("X-Api-Key") == s.APIKey && r.Header.Get("Anthropic-Version") != ""
	case "gemini":
		return r.Header.Get("X-Goog-Api-Key") == s.APIKey || r.URL.Query().Get("key") == s.APIKey
	case "azure":
		return r.Header.Get("Api-Key") == s.APIKey && r.URL.Query().Get("api-version") != ""
	}
	return r.Header.Get("Authorization") == "Bearer "+s.APIKey
}

// flaky reports whether this call of model should fail: the first n calls do.
func (s *Server) flaky(model string, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[model]++
	return s.calls[model] <= n
}

func (s *Server) record(r *http.Request, body []byte) {
	s.mu.Lock()
	s.last = Recorded{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	s.mu.Unlock()
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	retryAfter(w, status)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"fake_error","param":null,"code":%q}}`, msg, code)
}

// retryAfter asks rate-limited and overloaded callers to wait a second.
func retryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == 529 {
		w.Header().Set("Retry-After", "1")
	}
}

// fault is what the model name asks the server to do.
type fault struct {
	status      int
	delay       time.Duration
	chunkDelay  time.Duration
	hang, cut   bool
	flaky       int
	limited     int
	overloaded  bool
	context     bool
	streamError bool
	thinking    bool
}

func parseFault(model string) fault {
	var f fault
	rest, ok := strings.CutPrefix(model, "fake-")
	if !ok {
		return f
	}
	kind, arg, _ := strings.Cut(rest, "-")
	switch kind {
	case "status":
		f.status, _ = strconv.Atoi(arg)
	case "delay":
		f.delay, _ = time.ParseDuration(arg)
	case "slowstream":
		f.chunkDelay, _ = time.ParseDuration(arg)
	case "hang":
		f.hang = true
	case "cut":
		f.cut = true
	case "flaky":
		f.flaky, _ = strconv.Atoi(arg)
	case "limited":
		f.limited, _ = strconv.Atoi(arg)
	case "overloaded":
		f.overloaded = true
	case "context":
		f.context = true
	case "streamerror":
		f.streamError = true
	case "thinking":
		f.thinking = true
	}
	return f
}

// wait sleeps for d or until the client goes away; it reports whether the
// client is still there.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		s.cancelled.Add(1)
		return false
	}
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(oai.ModelList{Object: "list", Data: []oai.Model{ //nolint:errcheck
		{ID: "fake-model", Object: "model", Created: 1700000000, OwnedBy: "fake"},
	}})
}
