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
		Help: "Redis failures seen by aigw_ratelimit, by what it did about them (open: local limits, closed: 503).",
	}, []string{"mode"})
)

func registerMetrics(ctx caddy.Context) {
	reg := ctx.GetMetricsRegistry()
	if reg == nil {
		return
	}
	for _, c := range []prometheus.Collector{refusals, backendErrors} {
		var are prometheus.AlreadyRegisteredError
		if err := reg.Register(c); err != nil && !errors.As(err, &are) {
			ctx.Logger().Warn("registering a metric failed")
		}
	}
}
