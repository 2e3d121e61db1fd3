package auth

import (
	"net/http"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/store"
)

// serveRestricted serves a key limited to some models: a model request for
// another model gets 403. (The router lists only the models it may use.)
func (h *Handler) serveRestricted(w http.ResponseWriter, r *http.Request, st *state.Request, next caddyhttp.Handler) error {
	var model string
	switch {
	case r.Method == http.MethodPost && st.Endpoint == state.EndpointChat:
		req, err := st.Chat(r)
		if err != nil {
			state.WriteError(w, r, err)
			return nil
		}
		model = req.Model
	case r.Method == http.MethodPost && st.Endpoint == state.EndpointEmbeddings:
		req, err := st.Embedding(r)
		if err != nil {
			state.WriteError(w, r, err)
			return nil
		}
		model = req.Model
	default: // model lists (the router shows a limited key only its models), other paths
		return next.ServeHTTP(w, r)
	}
	if !h.allows(st.Key, model) {
		state.WriteError(w, r, apierr.Newf(http.StatusForbidden, "model_not_allowed",
			"This API key may not use the model `%s`.", model).WithParam("model"))
		return nil
	}
	return next.ServeHTTP(w, r)
}

// allows reports whether rec may use the model name, matching its globs
// against the name sent and, for an alias, the model it resolves to.
func (h *Handler) allows(rec *store.KeyRecord, name string) bool {
	if rec.AllowsModel(name) {
		return true
	}
	if h.catalog != nil {
		if m, err := h.catalog.Resolve(name); err == nil {
			return rec.AllowsModel(m.ID)
		}
	}
	return false
}
