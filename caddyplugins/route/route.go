// Package route is the aigw_route handler: the end of the chain. It serves the
// OpenAI-compatible endpoints — chat completions (plain and streamed),
// embeddings and models — by resolving the requested model, alias or group
// in the catalog and calling a deployment that serves it through its
// provider's adapter (internal/providers: OpenAI and the servers that speak
// its API, Anthropic, Gemini, the in-process mock). Per the routing rules it
// picks deployments by strategy, retries with jittered backoff, falls back,
// and cools failing deployments down, node-wide and through Redis when the
// aigw app has a client. It records what it relayed — usage, generated
// content, finish reason, first byte — in the request state, where the meter
// and the rate limiter read it.
package route

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
	_ "github.com/aigw/aigw/internal/providers/all" // the adapters
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler routes gateway requests to providers. It is a terminal handler: it
// answers every request it receives and never calls the next handler.
type Handler struct {
	// MaxIdleConnsPerProvider bounds the idle keep-alive connections kept to
	// each provider (default 256).
	MaxIdleConnsPerProvider int `json:"max_idle_conns_per_provider,omitempty"`

	catalog   *catalog.Catalog
	bodyLimit int64
	adapters  map[string]providers.Adapter
	models    modelList
	logger    *zap.Logger
	bal       *balancer
	keys      map[*catalog.Model]string
	shared    *sharedCooldowns
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_route", New: func() caddy.Module { return new(Handler) }}
}

// Provision takes the catalog from the aigw app and makes an adapter per
// provider.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	a, err := app.Load(ctx)
	if err != nil {
		return err
	}
	h.catalog, h.bodyLimit = a.Catalog(), a.MaxRequestBody
	if h.MaxIdleConnsPerProvider == 0 {
		h.MaxIdleConnsPerProvider = 256
	}
	h.provision()
	if rdb := a.Redis(); rdb != nil {
		keys := make([]string, 0, len(h.keys))
		for _, k := range h.keys {
			keys = append(keys, k)
		}
		h.shared = shareCooldowns(rdb, h.bal, keys, h.logger)
	}
	return nil
}

// provision builds what the handler derives from its catalog.
func (h *Handler) provision() {
	h.adapters = map[string]providers.Adapter{}
	for _, p := range h.catalog.Providers() {
		a, err := providers.New(p, providers.Options{MaxIdleConns: h.MaxIdleConnsPerProvider})
		if err != nil {
			h.logger.Warn("provider cannot be called; its models are hidden", zap.String("provider", p.Name), zap.Error(err))
			continue
		}
		h.adapters[p.Name] = a
	}
	if h.bal == nil {
		h.bal = nodeBalancer
	}
	h.keys = make(map[*catalog.Model]string, len(h.catalog.Models()))
	for _, m := range h.catalog.Models() {
		h.keys[m] = h.deploymentKey(m)
	}
	h.models = newModelList(h.catalog, h.servable)
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if h.MaxIdleConnsPerProvider < 0 {
		return fmt.Errorf("max_idle_conns_per_provider %d: must not be negative", h.MaxIdleConnsPerProvider)
	}
	return nil
}

// Cleanup closes idle provider connections and stops sharing cool-downs.
func (h *Handler) Cleanup() error {
	if h.shared != nil {
		h.shared.stop()
	}
	for _, a := range h.adapters {
		a.Close()
	}
	return nil
}

// servable reports whether the router can call provider p now, and if not why.
func (h *Handler) servable(p *catalog.Provider) (bool, string) {
	if ok, why := p.Available(); !ok {
		return false, why
	}
	if h.adapters[p.Name] == nil {
		return false, fmt.Sprintf("provider %q has type %q, which this gateway cannot call", p.Name, p.Type)
	}
	return true, ""
}

// ServeHTTP answers one of the gateway endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	r, st := state.Attach(r, h.bodyLimit)
	var err error
	switch st.Endpoint {
	case state.EndpointChat:
		err = h.method(w, r, http.MethodPost, func() error { return h.chat(w, r, st) })
	case state.EndpointEmbeddings:
		err = h.method(w, r, http.MethodPost, func() error { return h.embeddings(w, r, st) })
	case state.EndpointModels:
		err = h.method(w, r, http.MethodGet, func() error { return h.models.serveList(w, st.Key) })
	case state.EndpointModel:
		err = h.method(w, r, http.MethodGet, func() error { return h.models.serveOne(w, r, st.ModelID(), st.Key) })
	default:
		state.WriteError(w, r, apierr.Newf(http.StatusNotFound, "unknown_url", "Unknown request URL: %s %s.", r.Method, r.URL.Path))
	}
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, errClientGone) {
		h.logger.Warn("request ended with an error", zap.String("request_id", st.ID), zap.Error(err))
	}
	if errors.Is(err, errClientGone) {
		h.logger.Debug("client went away", zap.String("request_id", st.ID))
		abandon(w)
	}
	return nil
}

// abandon closes the connection of a client that has gone instead of
// answering it: Go's server would send a half-closed client an empty 200
// for a handler that wrote nothing (while its usage row says 499).
func abandon(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

func (h *Handler) method(w http.ResponseWriter, r *http.Request, want string, serve func() error) error {
	if r.Method != want {
		w.Header().Set("Allow", want)
		state.WriteError(w, r, apierr.Newf(http.StatusMethodNotAllowed, "method_not_allowed",
			"%s is not allowed on %s; use %s.", r.Method, r.URL.Path, want))
		return nil
	}
	return serve()
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
