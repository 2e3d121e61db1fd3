package route

import (
	"net/http"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
)

// route finds the route a request names, or answers 404.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, st *state.Request, name string) *catalog.Route {
	rt, err := h.catalog.Route(name)
	if err != nil {
		state.WriteError(w, r, apierr.Newf(http.StatusNotFound, "model_not_found",
			"The model `%s` does not exist or you do not have access to it.", name).WithParam("model"))
		return nil
	}
	st.RequestedModel = name
	return rt
}

func (h *Handler) chat(w http.ResponseWriter, r *http.Request, st *state.Request) error {
	req, err := st.Chat(r)
	if err != nil {
		state.WriteError(w, r, err)
		return nil
	}
	st.Stream = req.Stream
	rt := h.route(w, r, st, req.Model)
	if rt == nil {
		return nil
	}
	body, _ := st.Body(r) // read by Chat
	c := &providers.ChatCall{Request: req, Body: body, Requested: req.Model, ID: st.ID}
	return h.run(w, r, st, rt, catalog.CapChat, func(a providers.Adapter, m *catalog.Model) (*providers.Call, error) {
		c.Model = m
		return a.Chat(c)
	})
}

func (h *Handler) embeddings(w http.ResponseWriter, r *http.Request, st *state.Request) error {
	req, err := st.Embedding(r)
	if err != nil {
		state.WriteError(w, r, err)
		return nil
	}
	rt := h.route(w, r, st, req.Model)
	if rt == nil {
		return nil
	}
	body, _ := st.Body(r) // read by Embedding
	c := &providers.EmbeddingsCall{Request: req, Body: body, Requested: req.Model, ID: st.ID}
	return h.run(w, r, st, rt, catalog.CapEmbeddings, func(a providers.Adapter, m *catalog.Model) (*providers.Call, error) {
		c.Model = m
		return a.Embeddings(c)
	})
}
