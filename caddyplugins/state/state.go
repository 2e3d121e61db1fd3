// Package state is the per-request state that the aigw handlers share: who is
// calling, the request body read and parsed once, the model and provider chosen,
// and what happened. The first aigw handler of the chain attaches it to the
// request's context; the others find it there.
package state

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/usage"
)

type ctxKey struct{}

// DefaultBodyLimit is the largest request body the chain reads when the
// aigw app sets none: 8 MiB, room for long prompts and images.
const DefaultBodyLimit = 8 << 20

// Endpoint is the API endpoint a request calls, the /api aliases folded in.
type Endpoint uint8

// The gateway's endpoints.
const (
	// EndpointOther is any other path.
	EndpointOther Endpoint = iota
	// EndpointChat is /v1/chat/completions.
	EndpointChat
	// EndpointEmbeddings is /v1/embeddings.
	EndpointEmbeddings
	// EndpointModels is /v1/models.
	EndpointModels
	// EndpointModel is /v1/models/{id}.
	EndpointModel
)

// Usage is token accounting reported by a provider.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	CachedTokens     int
	Reported         bool
}

// Request is the shared state of one gateway request. It is used by one
// request's handlers in turn, never concurrently, so it has no lock.
type Request struct {
	// ID identifies the request in logs, headers and usage rows.
	ID string
	// Start is when the first aigw handler saw the request.
	Start time.Time
	// Key is the authenticated API key with its tenant and user; nil before auth.
	Key *store.KeyRecord
	// Path is the request's path with the /api alias prefix removed, and
	// Endpoint the endpoint it names: worked out once, read by every handler.
	Path     string
	Endpoint Endpoint

	// Model is the catalog entry the request resolved to; RequestedModel is the
	// name the client sent (perhaps an alias).
	Model          *catalog.Model
	RequestedModel string
	// Provider is the provider that served the request, and Deployment the
	// deployment of it that answered (provider/upstream model).
	Provider   string
	Deployment string
	// Stream reports whether the client asked for a streamed answer.
	Stream bool
	// Attempts counts provider calls made for this request (retries and
	// fallbacks included).
	Attempts int
	// FirstByte is when the first byte of the answer went to the client.
	FirstByte time.Time
	// ProviderCalled is when the first provider call started, and
	// ProviderAnswered when the last provider answer's header arrived: the
	// meter leaves the time between them out of the gateway's overhead.
	ProviderCalled, ProviderAnswered time.Time

	// Usage is token usage as the provider reported it; Usage.Reported is false
	// when the provider did not report it (a cut stream, say).
	Usage Usage
	// Content is the bytes of generated text and tool-call arguments the
	// router read from the provider's answer; Counted says it read the
	// answer's content (a stream, or a whole answer without usage).
	Content int
	Counted bool
	// Finish is the finish reason of the answer's first choice, once read.
	Finish string
	// Called reports that the last provider call was taken: it answered
	// with success, or was in flight when the client left. The provider may
	// bill such a call.
	Called bool
	// EstPromptTokens and EstCompletionTokens are the gateway's estimates made
	// before the call (for limits and budgets); both kept so drift is visible.
	EstPromptTokens, EstCompletionTokens int

	// ErrorCode is the code of the error the gateway answered with, if any.
	ErrorCode string
	// GuardrailAction is the strongest guardrail action taken (block, redact,
	// flag), or "" when no guardrail acted.
	GuardrailAction string
	// GuardrailFindings counts the guardrail's findings by detector id, for
	// the audit trail: types and counts, never values.
	GuardrailFindings map[string]int
	// GuardrailFeatures holds, by detector id, the top n-grams of the first
	// learned finding of that detector (guard.Finding.Features), for the
	// audit trail; never values.
	GuardrailFeatures map[string][]string
	// GuardrailScores holds, by detector id, the score of the first learned
	// finding of that detector, for the audit trail.
	GuardrailScores map[string]float64

	bodyLimit   int64
	promptBytes int
	body        []byte
	bodyRead    bool
	chat        *oai.ChatRequest
	embedding   *oai.EmbeddingRequest
}

// From returns the state attached to r, or nil.
func From(r *http.Request) *Request {
	st, _ := r.Context().Value(ctxKey{}).(*Request)
	return st
}

// Attach returns the state of r, creating and attaching it if r has none,
// with the largest body the chain reads (DefaultBodyLimit when not
// positive). The returned request must be passed down the chain.
func Attach(r *http.Request, bodyLimit int64) (*http.Request, *Request) {
	if st := From(r); st != nil {
		return r, st
	}
	if bodyLimit <= 0 {
		bodyLimit = DefaultBodyLimit
	}
	st := &Request{ID: newID(), Start: time.Now(), bodyLimit: bodyLimit, promptBytes: max(int(r.ContentLength), 0)}
	st.Path = strings.TrimPrefix(r.URL.Path, "/api")
	switch {
	case st.Path == "/v1/chat/completions":
		st.Endpoint = EndpointChat
	case st.Path == "/v1/embeddings":
		st.Endpoint = EndpointEmbeddings
	case st.Path == "/v1/models":
		st.Endpoint = EndpointModels
	case strings.HasPrefix(st.Path, "/v1/models/"):
		st.Endpoint = EndpointModel
	}
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, st)), st
}

// ModelID is the model id of a /v1/models/{id} request.
func (st *Request) ModelID() string { return strings.TrimPrefix(st.Path, "/v1/models/") }

// SetRelay records what the router read of an answer.
func (st *Request) SetRelay(r *providers.Relay) {
	u := r.Usage
	st.Usage = Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, Reported: r.Reported}
	if u.PromptTokensDetails != nil {
		st.Usage.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	st.Content, st.Counted, st.Finish = r.Content, r.Counted, r.Finish
}

// Bill is what the call is billed, by the one rule (usage.Decide) that the
// usage row, the cost headers and the budget settlement share, and its cost
// at the resolved model's prices.
func (st *Request) Bill() (usage.Bill, money.Pico) {
	if st.Model == nil || st.Attempts == 0 {
		return usage.Bill{}, 0 // never reached a provider
	}
	b := usage.Decide(usage.Call{
		Reported: st.Usage.Reported, PromptTokens: st.Usage.PromptTokens, CachedTokens: st.Usage.CachedTokens,
		CompletionTokens: st.Usage.CompletionTokens, Called: st.Called, Counted: st.Counted, Content: st.Content,
		EstPrompt: st.EstPromptTokens, EstCompletion: st.EstCompletionTokens, PromptBytes: st.promptBytes,
	})
	return b, st.Model.Cost(int64(b.Prompt), int64(b.Cached), int64(b.Completion))
}

// EventWriter is a response writer that takes a stream's events one at a
// time, with the chunk the router already read: a screen in front of the
// router reads each stream once.
type EventWriter interface {
	// WriteEvent writes one whole event; chunk is the router's reading of
	// its data, valid until the call returns.
	WriteEvent(event []byte, chunk *oai.Chunk) error
}

// newID returns a random request id such as "req_5f3a...": 96 random bits.
func newID() string {
	var b [12]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail on Linux
	const hex = "0123456789abcdef"
	out := make([]byte, 4+24)
	copy(out, "req_")
	for i, c := range b {
		out[4+2*i] = hex[c>>4]
		out[5+2*i] = hex[c&0xf]
	}
	return string(out)
}

// ClientIP returns the caller's address as Caddy determined it (trusted
// proxies considered), or the connection's remote host.
func ClientIP(r *http.Request) string {
	if v, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && v != "" {
		return v
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// WriteError answers the request with err — the *apierr.Error in its chain,
// or a 500 — and records its code in the state, when there is one. Every
// aigw handler refuses through it.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := apierr.From(err)
	if st := From(r); st != nil {
		st.ErrorCode = e.Code
	}
	apierr.Write(w, e)
}

// Body reads the request body once, at most the state's body limit, and
// returns it on every call. A larger body is a 413.
func (st *Request) Body(r *http.Request) ([]byte, error) {
	if st.bodyRead {
		return st.body, nil
	}
	limit := st.bodyLimit
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(limit)
		}
		return nil, apierr.New(http.StatusBadRequest, "body_read_error", "The request body could not be read.").WithCause(err)
	}
	st.body, st.bodyRead = b, true
	st.promptBytes = len(b)
	return b, nil
}

func tooLarge(limit int64) error {
	return apierr.Newf(http.StatusRequestEntityTooLarge, "request_too_large",
		"The request body exceeds the gateway's limit of %d bytes.", limit)
}

// SetBody replaces the body that later handlers forward (a guardrail's
// redaction, say) and drops the parsed forms so they are parsed anew.
func (st *Request) SetBody(b []byte) {
	st.body, st.bodyRead = b, true
	st.chat, st.embedding = nil, nil
}

// Chat returns the body parsed as a chat completion request, parsing it once.
func (st *Request) Chat(r *http.Request) (*oai.ChatRequest, error) {
	if st.chat != nil {
		return st.chat, nil
	}
	var req oai.ChatRequest
	if err := st.decode(r, func(b []byte) error { return oai.DecodeChat(b, &req) }); err != nil {
		return nil, err
	}
	if pe := req.Validate(); pe != nil {
		return nil, paramError(pe)
	}
	st.chat = &req
	return st.chat, nil
}

// Embedding returns the body parsed as an embeddings request, parsing it once.
func (st *Request) Embedding(r *http.Request) (*oai.EmbeddingRequest, error) {
	if st.embedding != nil {
		return st.embedding, nil
	}
	var req oai.EmbeddingRequest
	if err := st.decode(r, func(b []byte) error { return json.Unmarshal(b, &req) }); err != nil {
		return nil, err
	}
	if pe := req.Validate(); pe != nil {
		return nil, paramError(pe)
	}
	st.embedding = &req
	return st.embedding, nil
}

func (st *Request) decode(r *http.Request, unmarshal func([]byte) error) error {
	body, err := st.Body(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return apierr.New(http.StatusBadRequest, "invalid_json", "The request body is empty; send a JSON object.")
	}
	if pe := oai.CheckEncoding(body); pe != nil {
		return paramError(pe)
	}
	if err := unmarshal(body); err != nil {
		if pe := oai.TypeError(err); pe != nil {
			return paramError(pe)
		}
		return apierr.New(http.StatusBadRequest, "invalid_json", jsonErrorMessage(err)).WithCause(err)
	}
	return nil
}

// paramError is the 400 of a request that names a bad parameter.
func paramError(pe *oai.ParamError) *apierr.Error {
	return apierr.New(http.StatusBadRequest, pe.Code, pe.Message).WithParam(pe.Param)
}

// jsonErrorMessage describes a decoding error without echoing the body.
func jsonErrorMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("We could not parse the JSON body of your request: syntax error at byte %d.", se.Offset)
	}
	return "We could not parse the JSON body of your request."
}
