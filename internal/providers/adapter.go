package providers

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
)

// Adapter calls one provider of the configuration in its own API. The router
// calls every provider through its adapter and never branches on the type:
// each step that differs between APIs — building the request, sending it,
// reading the answer or a streamed event, classifying a refusal — is the
// adapter's.
type Adapter interface {
	// Chat builds one attempt's call of a chat completion, to deployment c.Model.
	Chat(c *ChatCall) (*Call, error)
	// Embeddings builds one attempt's call of an embeddings request.
	Embeddings(c *EmbeddingsCall) (*Call, error)
	// Send makes the call and returns the provider's answer, whatever its
	// status; an error means no answer came (or ctx ended).
	Send(ctx context.Context, call *Call) (*http.Response, error)
	// Error reads a refusal — a non-2xx answer, its status, headers and
	// (at most 64 KiB of) body — into the client's error, an *apierr.Error.
	Error(status int, header http.Header, body []byte) error
	// Close releases idle connections.
	Close()
}

// ChatCall is one chat completion request, shared by its attempts: the
// router sets Model before each.
type ChatCall struct {
	// Model is the deployment this attempt calls.
	Model *catalog.Model
	// Request is the request as the gateway read it.
	Request *oai.ChatRequest
	// Body is the body to forward: the client's, as the guardrail left it.
	Body []byte
	// Requested is the model name the client sent (perhaps an alias).
	Requested string
	// ID is the gateway's request id, which the provider is sent.
	ID string

	params    *oai.ChatParams
	paramsErr error
}

// Params returns the request decoded in full, decoding it once for every
// attempt: translating adapters need every field.
func (c *ChatCall) Params() (*oai.ChatParams, error) {
	if c.params == nil && c.paramsErr == nil {
		c.params, c.paramsErr = oai.ParseParams(c.Body)
	}
	return c.params, c.paramsErr
}

// EmbeddingsCall is one embeddings request, shared by its attempts.
type EmbeddingsCall struct {
	// Model is the deployment this attempt calls.
	Model *catalog.Model
	// Request is the request as the gateway read it.
	Request *oai.EmbeddingRequest
	// Body is the body to forward.
	Body []byte
	// Requested is the model name the client sent.
	Requested string
	// ID is the gateway's request id.
	ID string
}

// Call is one provider call, as an adapter built it.
type Call struct {
	// URL is where the call goes.
	URL string
	// Body is what is sent.
	Body []byte
	// Stream reports whether the answer is an event stream.
	Stream bool
	// RequestID is sent as X-Request-Id.
	RequestID string
	// Model is the deployment called.
	Model *catalog.Model
	// Reader reads the answer.
	Reader Reader
	// Chat or Embeddings is the request the call carries, for an adapter
	// that answers in process.
	Chat       *oai.ChatRequest
	Embeddings *oai.EmbeddingRequest
}

// Reader reads one call's answer into what the client gets — an OpenAI
// answer or chat.completion.chunk events — and keeps what it carried (usage,
// generated content, finish reason) in its Relay.
type Reader interface {
	// Answer reads a whole, non-streamed answer.
	Answer(body []byte) ([]byte, error)
	// Event reads one event of a streamed answer (its bytes as framed by
	// internal/sse, blank line included; the last may lack it) and appends
	// the events the client gets to dst. A provider's error event is
	// returned as an *apierr.Error.
	Event(dst, event []byte) ([]byte, error)
	// End is called when the provider's stream ended without a read error;
	// it appends the closing events the client still needs, or returns an
	// error when the stream was cut short.
	End(dst []byte) ([]byte, error)
	// Relay returns what the answer has carried so far.
	Relay() *Relay
}

// ChunkReader is a Reader that passes an OpenAI provider's chunks on as
// they are: Chunk returns the chunk the last Event read, when it went out
// unchanged (nil otherwise), so that the guardrail screens it without
// reading it again. It is valid until the next Event.
type ChunkReader interface {
	Reader
	Chunk() *oai.Chunk
}

// Relay is what an answer carried, as the router read it: what billing and
// metering need when the provider reports no usage (a stream cut short).
type Relay struct {
	// Usage is what the provider reported; Reported says it did.
	Usage    oai.Usage
	Reported bool
	// Content is the bytes of generated text and tool-call arguments read
	// from the provider; Counted says the answer's content was read.
	Content int
	Counted bool
	// Finish is the first choice's finish reason, once read.
	Finish string
}

// Options are what every adapter of a router shares.
type Options struct {
	// MaxIdleConns bounds the idle keep-alive connections kept to one
	// provider.
	MaxIdleConns int
}

// Factory makes the adapter of provider p.
type Factory func(p *catalog.Provider, o Options) Adapter

// Type registers one provider type.
type Type struct {
	// Name is the type as providers.yaml spells it.
	Name string
	// Info is what the configuration needs of the type (key, version path).
	Info catalog.TypeInfo
	// New makes an adapter.
	New Factory
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Type{}
)

// Register adds a provider type; adapter packages call it from init. The
// registry of the gateway's adapters is the import list of package all.
func Register(t Type) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[t.Name]; dup {
		panic(fmt.Sprintf("provider type %q registered twice", t.Name))
	}
	registry[t.Name] = t
	catalog.RegisterType(t.Name, t.Info)
}

// New makes the adapter of provider p.
func New(p *catalog.Provider, o Options) (Adapter, error) {
	registryMu.RLock()
	t, ok := registry[p.Type]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("provider %q has type %q, which this gateway cannot call (known: %s)", p.Name, p.Type, strings.Join(Types(), ", "))
	}
	return t.New(p, o), nil
}

// Types lists the registered types.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for name := range registry {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
