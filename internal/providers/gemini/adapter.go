package gemini

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
)

func init() {
	providers.Register(providers.Type{Name: catalog.TypeGemini,
		Info: catalog.TypeInfo{KeyRequired: true, VersionPath: "/v1beta"}, New: New})
}

// Adapter calls one Gemini provider: chat completions translated to
// generateContent (streamGenerateContent?alt=sse for streams), embeddings to
// embedContent or batchEmbedContents, with "x-goog-api-key".
type Adapter struct {
	*providers.HTTP
	p *catalog.Provider
}

// New makes the adapter of p.
func New(p *catalog.Provider, o providers.Options) providers.Adapter {
	h := http.Header{}
	if p.APIKey != "" {
		h.Set("X-Goog-Api-Key", p.APIKey)
	}
	return &Adapter{HTTP: providers.NewHTTP(p, o, h), p: p}
}

// Chat translates the request for generateContent.
func (a *Adapter) Chat(c *providers.ChatCall) (*providers.Call, error) {
	params, err := c.Params()
	if err != nil {
		return nil, providers.BadJSON(err)
	}
	m := c.Model
	body, err := BuildRequest(params, Options{DropParams: m.DropParams})
	if err != nil {
		return nil, err
	}
	id := "chatcmpl-" + strings.TrimPrefix(c.ID, "req_")
	s := NewStream(id, m.Upstream, time.Now().Unix(), params.IncludeUsage())
	s.Provider, s.Key = a.p.Name, a.p.APIKey
	return &providers.Call{URL: a.p.BaseURL + Path(m.Upstream, params.Stream), Body: body, Stream: params.Stream,
		RequestID: c.ID, Model: m, Reader: s}, nil
}

// Embeddings translates the request for embedContent or batchEmbedContents.
func (a *Adapter) Embeddings(c *providers.EmbeddingsCall) (*providers.Call, error) {
	body, path, err := BuildEmbedRequest(c.Request, c.Model.Upstream)
	if err != nil {
		return nil, err
	}
	return &providers.Call{URL: a.p.BaseURL + path, Body: body, RequestID: c.ID, Model: c.Model,
		Reader: &embedReader{req: c.Request, model: c.Model.ID}}, nil
}

// Error normalises a Gemini refusal.
func (a *Adapter) Error(status int, header http.Header, body []byte) error {
	return providers.WithRetryAfter(Error(a.p.Name, a.p.APIKey, status, body), header)
}

// embedReader translates an embeddings answer. Gemini reports no token
// counts: the relay carries none, and billing estimates them.
type embedReader struct {
	req   *oai.EmbeddingRequest
	model string
	relay providers.Relay
}

var errNotStreamed = errors.New("embeddings answers are not streamed")

func (r *embedReader) Answer(body []byte) ([]byte, error) {
	out, _, err := TranslateEmbedResponse(body, r.req, r.model)
	return out, err
}

func (r *embedReader) Event(dst, _ []byte) ([]byte, error) { return dst, errNotStreamed }
func (r *embedReader) End(dst []byte) ([]byte, error)      { return dst, errNotStreamed }
func (r *embedReader) Relay() *providers.Relay             { return &r.relay }

// Interface guards.
var (
	_ providers.Adapter = (*Adapter)(nil)
	_ providers.Reader  = (*Stream)(nil)
	_ providers.Reader  = (*embedReader)(nil)
)
