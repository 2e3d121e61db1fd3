// Package fakeprovider is an HTTP server that speaks OpenAI's wire format
// (chat completions with SSE streaming, embeddings, models) with deterministic
// answers from mockllm, for tests and benchmarks. Faults are chosen by the
// upstream model name, so a test configures them in its models.yaml:
//
//	fake-status-<code>       answer with that HTTP status and an OpenAI error body
//	fake-delay-<duration>    wait before answering (e.g. fake-delay-2s)
//	fake-slowstream-<dur>    wait that long between streamed chunks
//	fake-hang                never answer; return when the client goes away
//	fake-cut                 stream half of the chunks, then drop the connection
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

	mu   sync.Mutex
	last Recorded
}

// Recorded is what the server saw of the last request.
type Recorded struct {
	Path   string
	Header http.Header
	Body   []byte
}

// New returns a Server; mount it at the root (its paths start with /v1/).
func New(apiKey string) *Server {
	s := &Server{APIKey: apiKey, Dimensions: 8, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/chat/completions", s.chat)
	s.mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	s.mux.HandleFunc("GET /v1/models", s.models)
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
	if s.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.APIKey {
		writeError(w, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) record(r *http.Request, body []byte) {
	s.mu.Lock()
	s.last = Recorded{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	s.mu.Unlock()
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"fake_error","param":null,"code":%q}}`, msg, code)
}

// fault is what the model name asks the server to do.
type fault struct {
	status     int
	delay      time.Duration
	chunkDelay time.Duration
	hang, cut  bool
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
