package meter

import (
	"errors"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/usage"
)

// Metrics are created once per process and registered on each config's
// registry. Labels are bounded: model and provider come from the catalog
// (never the client's string), tenant is the tenant's slug, status an HTTP
// status; key and user ids never appear.
var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_requests_total", Help: "Requests that reached the chain after authentication, by outcome.",
	}, []string{"model", "provider", "status", "tenant"})
	promptTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_prompt_tokens_total", Help: "Prompt tokens billed.",
	}, []string{"model", "provider", "tenant"})
	completionTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_completion_tokens_total", Help: "Completion tokens billed.",
	}, []string{"model", "provider", "tenant"})
	cachedTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_cached_tokens_total", Help: "Cached prompt tokens billed at the cached rate.",
	}, []string{"model", "provider", "tenant"})
	costUSD = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_cost_usd_total", Help: "Cost billed, in US dollars (exact amounts are in usage_logs).",
	}, []string{"model", "provider", "tenant"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "aigw_meter_request_duration_seconds", Help: "Whole request duration, provider included.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
	}, []string{"model", "provider"})
	ttft = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "aigw_meter_time_to_first_token_seconds", Help: "Time to the first byte of the answer.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"model", "provider"})
	overhead = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "aigw_meter_overhead_seconds", Help: "Time spent in the gateway, provider excluded.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1},
	}, []string{"provider"})
	upstreamErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_upstream_errors_total", Help: "Requests that failed at the provider (5xx, timeouts, provider refusals).",
	}, []string{"model", "provider", "status"})
	guardrailActions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_guardrail_actions_total", Help: "Requests a guardrail acted on, by strongest action.",
	}, []string{"action", "tenant"})
	rateLimitRefusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aigw_meter_ratelimit_refusals_total", Help: "Requests the gateway refused with 429.",
	}, []string{"tenant"})
	bufferRows = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "aigw_meter_buffer_rows", Help: "Usage rows waiting in memory.",
	}, func() float64 { return float64(app.LiveStats().Buffered) })
	spoolBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "aigw_meter_spool_bytes", Help: "Usage rows spooled on disk and not yet replayed, in bytes.",
	}, func() float64 { return float64(app.LiveStats().SpoolBytes) })
	rowsSpooled = prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "aigw_meter_spooled_rows_total", Help: "Usage rows written to the spool because the database was slow or down.",
	}, func() float64 { return float64(app.LiveStats().Spooled) })
	rowsLost = prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "aigw_meter_lost_rows_total", Help: "Usage rows neither stored nor spooled (spool failing with the buffer full).",
	}, func() float64 { return float64(app.LiveStats().Lost) })
	auditDropped = prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "aigw_meter_audit_dropped_events_total", Help: "Audit events dropped because the audit queue was full.",
	}, func() float64 { return float64(app.LiveStats().AuditDropped) })
)

var collectors = []prometheus.Collector{
	requestsTotal, promptTokens, completionTokens, cachedTokens, costUSD, latency, ttft, overhead,
	upstreamErrors, guardrailActions, rateLimitRefusals, bufferRows, spoolBytes, rowsSpooled, rowsLost, auditDropped,
}

// registerMetrics registers the collectors on a config's registry; a second
// handler of the same config finds them there already.
func registerMetrics(reg prometheus.Registerer) error {
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return err
			}
		}
	}
	return nil
}

// statusText caches the label strings of HTTP statuses.
var statusText sync.Map

func statusLabel(code int) string {
	if v, ok := statusText.Load(code); ok {
		return v.(string)
	}
	s := strconv.Itoa(code)
	statusText.Store(code, s)
	return s
}

// series is the metric children of one model, provider, tenant and status:
// looking each up by its label values hashed and compared the labels seven
// times a request. Children are never deleted, so they stay valid. Those a
// request may not touch are created on first use, as before: a series
// appears in /metrics once something was counted in it.
type series struct {
	requests                              prometheus.Counter
	latency, overhead                     prometheus.Observer
	prompt, completion, cached, costTotal func() prometheus.Counter
	ttft                                  func() prometheus.Observer
}

type seriesKey struct {
	model, provider, tenant string
	status                  int
}

// seriesCache holds the series seen, up to maxSeries (then it starts
// again: the metrics themselves keep their children).
var seriesCache struct {
	mu sync.RWMutex
	m  map[seriesKey]*series
}

const maxSeries = 4096

func seriesFor(k seriesKey) *series {
	seriesCache.mu.RLock()
	s := seriesCache.m[k]
	seriesCache.mu.RUnlock()
	if s != nil {
		return s
	}
	counter := func(v *prometheus.CounterVec) func() prometheus.Counter {
		return sync.OnceValue(func() prometheus.Counter { return v.WithLabelValues(k.model, k.provider, k.tenant) })
	}
	s = &series{
		requests:   requestsTotal.WithLabelValues(k.model, k.provider, statusLabel(k.status), k.tenant),
		latency:    latency.WithLabelValues(k.model, k.provider),
		overhead:   overhead.WithLabelValues(k.provider),
		prompt:     counter(promptTokens),
		completion: counter(completionTokens),
		cached:     counter(cachedTokens),
		costTotal:  counter(costUSD),
		ttft:       sync.OnceValue(func() prometheus.Observer { return ttft.WithLabelValues(k.model, k.provider) }),
	}
	seriesCache.mu.Lock()
	if seriesCache.m == nil || len(seriesCache.m) >= maxSeries {
		seriesCache.m = make(map[seriesKey]*series, 64)
	}
	seriesCache.m[k] = s
	seriesCache.mu.Unlock()
	return s
}

// observe records one request in the metrics.
func observe(st *state.Request, o *outcome, b usage.Bill, usd float64, overheadSecs float64) {
	model, provider, tenant := "none", "none", "none"
	if st.Model != nil {
		model = st.Model.ID
	}
	if st.Provider != "" {
		provider = st.Provider
	}
	if st.Key != nil {
		tenant = st.Key.TenantSlug
	}
	s := seriesFor(seriesKey{model: model, provider: provider, tenant: tenant, status: o.status})
	s.requests.Inc()
	if b.Prompt+b.Completion+b.Cached > 0 {
		s.prompt().Add(float64(b.Prompt))
		s.completion().Add(float64(b.Completion))
		if b.Cached > 0 {
			s.cached().Add(float64(b.Cached))
		}
		s.costTotal().Add(usd)
	}
	s.latency.Observe(o.end.Sub(st.Start).Seconds())
	if !st.FirstByte.IsZero() {
		s.ttft().Observe(st.FirstByte.Sub(st.Start).Seconds())
	}
	s.overhead.Observe(overheadSecs)
	if upstreamFailure(st, o.status) {
		upstreamErrors.WithLabelValues(model, provider, statusLabel(o.status)).Inc()
	}
	if st.GuardrailAction != "" {
		guardrailActions.WithLabelValues(st.GuardrailAction, tenant).Inc()
	}
	if o.status == 429 && !upstreamFailure(st, o.status) {
		rateLimitRefusals.WithLabelValues(tenant).Inc()
	}
}

// upstreamFailure reports whether the request failed at (or reaching) the
// provider rather than being refused by the gateway.
func upstreamFailure(st *state.Request, status int) bool {
	if len(st.ErrorCode) > 9 && st.ErrorCode[:9] == "upstream_" {
		return true
	}
	return st.Attempts > 0 && (status == 502 || status == 504)
}
