package route

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
)

// resolve finds the model a request names and checks it can serve capability.
func (h *Handler) resolve(st *state.Request, name, capability string) (*catalog.Model, *catalog.Provider, *apierr.Error) {
	m, err := h.catalog.Resolve(name)
	if err != nil {
		return nil, nil, apierr.Newf(http.StatusNotFound, "model_not_found",
			"The model `%s` does not exist or you do not have access to it.", name).WithParam("model")
	}
	if !m.Has(capability) {
		return nil, nil, apierr.Newf(http.StatusBadRequest, "unsupported_model",
			"The model `%s` does not support %s.", name, capability).WithParam("model")
	}
	p := h.catalog.Provider(m.Provider)
	if ok, why := h.servable(p); !ok {
		return nil, nil, apierr.New(http.StatusServiceUnavailable, "provider_unavailable", why)
	}
	st.Model, st.RequestedModel, st.Provider = m, name, p.Name
	st.Deployment = p.Name + "/" + m.Upstream
	return m, p, nil
}

func (h *Handler) chat(w http.ResponseWriter, r *http.Request, st *state.Request) error {
	req, e := st.Chat(r, h.bodyLimit)
	if e != nil {
		state.WriteError(w, r, e)
		return nil
	}
	st.Stream = req.Stream
	m, p, e := h.resolve(st, req.Model, catalog.CapChat)
	if e != nil {
		state.WriteError(w, r, e)
		return nil
	}
	setRouteHeaders(w, p, m)
	st.Attempts++
	ctx, cancel := h.callContext(r, p)
	defer cancel(nil)
	if p.Type == catalog.TypeMock {
		return mockChat(ctx, w, p, req, m.ID, st)
	}
	body, _ := st.Body(r, h.bodyLimit)
	return h.forward(ctx, w, r, p, m, st, "/chat/completions", body, req.Stream)
}

func (h *Handler) embeddings(w http.ResponseWriter, r *http.Request, st *state.Request) error {
	req, e := st.Embedding(r, h.bodyLimit)
	if e != nil {
		state.WriteError(w, r, e)
		return nil
	}
	m, p, e := h.resolve(st, req.Model, catalog.CapEmbeddings)
	if e != nil {
		state.WriteError(w, r, e)
		return nil
	}
	setRouteHeaders(w, p, m)
	st.Attempts++
	ctx, cancel := h.callContext(r, p)
	defer cancel(nil)
	if p.Type == catalog.TypeMock {
		return mockEmbeddings(ctx, w, p, req, m, st)
	}
	body, _ := st.Body(r, h.bodyLimit)
	return h.forward(ctx, w, r, p, m, st, "/embeddings", body, false)
}

// callContext bounds the provider call by the provider's timeout and ends it
// when the client goes away.
func (h *Handler) callContext(r *http.Request, p *catalog.Provider) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(r.Context())
	if p.Timeout > 0 {
		tctx, tcancel := context.WithTimeout(ctx, p.Timeout)
		stop := context.AfterFunc(r.Context(), func() { cancel(errClientGone) })
		return tctx, func(err error) { stop(); tcancel(); cancel(err) }
	}
	stop := context.AfterFunc(r.Context(), func() { cancel(errClientGone) })
	return ctx, func(err error) { stop(); cancel(err) }
}

func setRouteHeaders(w http.ResponseWriter, p *catalog.Provider, m *catalog.Model) {
	w.Header().Set("X-Aigw-Provider", p.Name)
	w.Header().Set("X-Aigw-Model", m.ID)
}

// forward sends the request body to the provider, with the model renamed to
// the provider's name for it, and relays the answer.
func (h *Handler) forward(ctx context.Context, w http.ResponseWriter, r *http.Request, p *catalog.Provider, m *catalog.Model,
	st *state.Request, path string, body []byte, stream bool) error {
	if m.Upstream != st.RequestedModel {
		var err error
		if body, err = renameModel(body, m.Upstream); err != nil {
			return fmt.Errorf("renaming model: %w", err)
		}
	}
	resp, e, err := h.upstreams[p.Name].post(ctx, path, body, st.ID)
	if e != nil {
		state.WriteError(w, r, e)
		return err
	}
	if err != nil { // client gone: nothing to write
		return errClientGone
	}
	defer resp.Body.Close()
	err = relay(w, resp, stream, st)
	if err != nil && errors.Is(context.Cause(ctx), errClientGone) {
		return errClientGone
	}
	return err
}

// renameModel sets the "model" field of a JSON object body.
func renameModel(body []byte, model string) ([]byte, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	name, err := json.Marshal(model)
	if err != nil {
		return nil, err
	}
	obj["model"] = name
	return json.Marshal(obj)
}
