package anthropic

import (
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
)

func init() {
	providers.Register(providers.Type{Name: catalog.TypeAnthropic,
		Info: catalog.TypeInfo{KeyRequired: true, VersionPath: "/v1"}, New: New})
}

// Adapter calls one Anthropic provider: chat completions translated to the
// Messages API (POST <base>/messages) and back, with "x-api-key" and the
// anthropic-version the translation speaks.
type Adapter struct {
	*providers.HTTP
	p *catalog.Provider
}

// New makes the adapter of p.
func New(p *catalog.Provider, o providers.Options) providers.Adapter {
	h := http.Header{}
	if p.APIKey != "" {
		h.Set("X-Api-Key", p.APIKey)
	}
	h.Set("Anthropic-Version", Version)
	return &Adapter{HTTP: providers.NewHTTP(p, o, h), p: p}
}

// Chat translates the request for the Messages API.
func (a *Adapter) Chat(c *providers.ChatCall) (*providers.Call, error) {
	params, err := c.Params()
	if err != nil {
		return nil, providers.BadJSON(err)
	}
	m := c.Model
	body, jsonMode, err := BuildRequest(params, Options{Model: m.Upstream, MaxOutputTokens: m.MaxOutputTokens, DropParams: m.DropParams})
	if err != nil {
		return nil, err
	}
	s := NewStream(m.Upstream, time.Now().Unix(), params.IncludeUsage(), jsonMode)
	s.Provider, s.Key = a.p.Name, a.p.APIKey
	return &providers.Call{URL: a.p.BaseURL + "/messages", Body: body, Stream: params.Stream, RequestID: c.ID, Model: m, Reader: s}, nil
}

// Embeddings is refused: Anthropic has no embeddings API.
func (a *Adapter) Embeddings(c *providers.EmbeddingsCall) (*providers.Call, error) {
	return nil, apierr.Newf(http.StatusBadRequest, "unsupported_model", "The model `%s` does not support embeddings.", c.Model.ID).WithParam("model")
}

// Error normalises an Anthropic refusal.
func (a *Adapter) Error(status int, header http.Header, body []byte) error {
	return providers.WithRetryAfter(Error(a.p.Name, a.p.APIKey, status, body), header)
}

// Interface guards.
var (
	_ providers.Adapter = (*Adapter)(nil)
	_ providers.Reader  = (*Stream)(nil)
)
