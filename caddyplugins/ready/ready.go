// Package ready is the aigw_ready handler: the gateway's readiness probe
// (/readyz in the shipped Caddyfile). It answers 200 when the configuration
// is loaded and the shared dependencies answer — PostgreSQL, and Redis when
// the aigw app has one — and 503 naming what does not, so that an orchestrator
// or `make run` sends traffic only to a gateway that can serve it. The
// liveness probe, /healthz, stays a plain 200.
package ready

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/app"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler answers readiness probes. It is a terminal handler.
type Handler struct {
	// Timeout bounds the dependency checks of one probe (default 2s).
	Timeout caddy.Duration `json:"timeout,omitempty"`

	app    *app.App
	logger *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_ready", New: func() caddy.Module { return new(Handler) }}
}

// Provision takes the aigw app.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	if h.Timeout == 0 {
		h.Timeout = caddy.Duration(2 * time.Second)
	}
	var err error
	h.app, err = app.Load(ctx)
	return err
}

// report is the probe's answer: "ok", "not configured" or what failed, per
// check.
type report struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// ServeHTTP checks the dependencies and answers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(h.Timeout))
	defer cancel()
	rep := report{Status: "ready", Checks: h.app.Ready(ctx)}
	for name, v := range rep.Checks {
		if v != app.CheckOK && v != app.CheckNotConfigured {
			rep.Status = "not ready"
			h.logger.Debug("not ready", zap.String("check", name), zap.String("result", v))
		}
	}
	status := http.StatusOK
	if rep.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(rep)
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
