// Package openai is the adapter of OpenAI's API and of the servers that speak
// it: OpenAI itself (type openai), Azure OpenAI (type azure: the deployment in
// the path, the key as api-key) and local OpenAI-compatible servers such as
// vLLM and Ollama (type openai-compatible). The client's body is forwarded as
// it is, with the model renamed to the deployment's upstream name and, for a
// stream whose client did not ask for usage, usage asked for and kept from
// the client; answers are passed on unchanged and read for their usage.
package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
)

func init() {
	providers.Register(providers.Type{Name: catalog.TypeOpenAI, Info: catalog.TypeInfo{KeyRequired: true}, New: New})
	providers.Register(providers.Type{Name: catalog.TypeAzure, Info: catalog.TypeInfo{KeyRequired: true}, New: New})
	providers.Register(providers.Type{Name: catalog.TypeOpenAICompatible, New: New})
}

// Adapter calls one OpenAI-family provider.
type Adapter struct {
	*providers.HTTP
	p *catalog.Provider
}

// New makes the adapter of p: its key goes as "Authorization: Bearer", or
// for Azure as "api-key".
func New(p *catalog.Provider, o providers.Options) providers.Adapter {
	h := http.Header{}
	switch {
	case p.APIKey == "":
	case p.Type == catalog.TypeAzure:
		h.Set("Api-Key", p.APIKey)
	default:
		h.Set("Authorization", "Bearer "+p.APIKey)
	}
	return &Adapter{HTTP: providers.NewHTTP(p, o, h), p: p}
}

// Chat forwards the client's body to /chat/completions.
func (a *Adapter) Chat(c *providers.ChatCall) (*providers.Call, error) {
	req := c.Request
	hide := HidesUsage(req.Stream, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
	body, err := Body(c.Body, c.Model.Upstream, c.Requested, hide)
	if err != nil {
		return nil, err
	}
	return &providers.Call{URL: a.url(c.Model, "/chat/completions"), Body: body, Stream: req.Stream, RequestID: c.ID,
		Model: c.Model, Reader: NewReader(hide)}, nil
}

// Embeddings forwards the client's body to /embeddings.
func (a *Adapter) Embeddings(c *providers.EmbeddingsCall) (*providers.Call, error) {
	body, err := Body(c.Body, c.Model.Upstream, c.Requested, false)
	if err != nil {
		return nil, err
	}
	return &providers.Call{URL: a.url(c.Model, "/embeddings"), Body: body, RequestID: c.ID, Model: c.Model, Reader: NewReader(false)}, nil
}

// url is where the provider serves path: under the API root, or for Azure
// under the deployment named by the model's upstream name, with the
// api-version.
func (a *Adapter) url(m *catalog.Model, path string) string {
	if a.p.Type == catalog.TypeAzure {
		return a.p.BaseURL + "/openai/deployments/" + url.PathEscape(m.Upstream) + path + "?api-version=" + url.QueryEscape(a.p.APIVersion)
	}
	return a.p.BaseURL + path
}

// Error reads an OpenAI-style refusal. The provider's own credentials
// problems are the gateway's, not the client's, so they become 502; the
// provider's message is kept for client errors, with its key scrubbed in
// case a provider echoes it.
func (a *Adapter) Error(status int, header http.Header, body []byte) error {
	return providers.WithRetryAfter(Refusal(a.p, status, body), header)
}

// Refusal normalises an OpenAI-style error body of status.
func Refusal(p *catalog.Provider, status int, body []byte) *apierr.Error {
	var pe struct {
		Error struct {
			Message string `json:"message"`
			Code    any    `json:"code"`
			Param   string `json:"param"`
		} `json:"error"`
	}
	json.Unmarshal(body, &pe) //nolint:errcheck // a body that is not JSON keeps an empty message
	msg := providers.Scrub(pe.Error.Message, p.APIKey)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.AuthFailed(p.Name)
	case status == http.StatusTooManyRequests:
		return providers.RateLimited(msg)
	case status >= 400 && status < 500:
		code, _ := pe.Error.Code.(string)
		if code == "" {
			code = providers.CodeInvalid
		}
		e := apierr.New(status, code, orText(msg, http.StatusText(status)))
		e.Param = pe.Error.Param
		return e
	}
	return providers.ServerError(p.Name, status, msg)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// HidesUsage reports whether the gateway asks a stream for usage the client
// did not ask for, and keeps it from the client: the usage the router needs
// comes in the stream's last chunk only when asked for.
func HidesUsage(stream, includeUsage bool) bool { return stream && !includeUsage }

// Body is the client's body to forward: the model renamed to upstream when
// the client sent another name and, with addUsage, usage asked for in the
// stream (stream_options.include_usage), every other field kept byte for byte.
func Body(body []byte, upstream, requested string, addUsage bool) ([]byte, error) {
	rename := upstream
	if rename == requested {
		rename = ""
	}
	if rename == "" && !addUsage {
		return body, nil
	}
	if rename == "" {
		if out, ok := insertIncludeUsage(body); ok {
			return out, nil
		}
	}
	out, err := rewrite(body, rename, addUsage)
	if err != nil {
		return nil, apierr.New(http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request.").
			WithCause(fmt.Errorf("rewriting the body for the provider: %w", err))
	}
	return out, nil
}

func rewrite(body []byte, model string, addUsage bool) ([]byte, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if model != "" {
		name, err := json.Marshal(model)
		if err != nil {
			return nil, err
		}
		obj["model"] = name
	}
	if addUsage {
		var so map[string]json.RawMessage
		if raw, ok := obj["stream_options"]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &so); err != nil {
				return nil, err
			}
		}
		if so == nil {
			so = map[string]json.RawMessage{}
		}
		so["include_usage"] = json.RawMessage("true")
		raw, err := json.Marshal(so)
		if err != nil {
			return nil, err
		}
		obj["stream_options"] = raw
	}
	return json.Marshal(obj)
}

var streamOptionsKey = []byte(`"stream_options"`)

// insertIncludeUsage adds stream_options to a body that has none, without
// decoding it: the common case of a stream whose client did not ask for usage.
func insertIncludeUsage(body []byte) ([]byte, bool) {
	i := bytes.IndexByte(body, '{')
	if i < 0 || len(bytes.TrimSpace(body[:i])) > 0 || bytes.Contains(body, streamOptionsKey) {
		return nil, false
	}
	const field = `"stream_options":{"include_usage":true},`
	rest := bytes.TrimSpace(body[i+1:])
	if len(rest) == 0 || rest[0] == '}' {
		return nil, false
	}
	out := make([]byte, 0, len(body)+len(field))
	out = append(out, body[:i+1]...)
	out = append(out, field...)
	return append(out, body[i+1:]...), true
}

// Interface guard.
var _ providers.Adapter = (*Adapter)(nil)
