package ratelimit

import (
	"errors"

	"github.com/caddyserver/caddy/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Collectors are created once per process and registered on each config's
// registry.
var (
	refusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_ratelimit_refusals_total",
		Help: "Requests refused by aigw_ratelimit, by the limit that refused them.",
	}, []string{"reason"})
	backendErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_ratelimit_backend_errors_total",
		Help: "Redis calls of aigw_ratelimit that failed (never a client's cancellation), by on_redis_error mode.",
	}, []string{"mode"})
	fallbacks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_ratelimit_fallbacks_total",
		Help: "Requests decided without Redis (a failed call or an open breaker), by what was done (open: this node's limits, closed: 503).",
	}, []string{"mode"})
)

func registerMetrics(ctx caddy.Context) {
	reg := ctx.GetMetricsRegistry()
	if reg == nil {
		return
	}
	for _, c := range []prometheus.Collector{refusals, backendErrors, fallbacks} {
		var are prometheus.AlreadyRegisteredError
		if err := reg.Register(c); err != nil && !errors.As(err, &are) {
			ctx.Logger().Warn("registering a metric failed")
		}
	}
}
