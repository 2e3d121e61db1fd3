package ratelimit

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/store"
)

// ServeHTTP admits the request or refuses it with 429, and settles the
// reservation with the real usage once the rest of the chain has answered.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	r, st := state.Attach(r, h.bodyLimit)
	est, err := h.estimate(r, st)
	if err != nil {
		state.WriteError(w, r, err)
		return nil
	}
	now := time.Now()
	req := h.request(st, est, now)
	if len(req.Scopes) == 0 {
		return next.ServeHTTP(w, r)
	}
	d, backend, err := h.reserve(r.Context(), req)
	if err != nil {
		state.WriteError(w, r, err)
		return nil
	}
	h.budgets.seed(r.Context(), backend, req)
	setHeaders(w.Header(), d)
	if !d.Allowed {
		refusals.WithLabelValues(d.Reason).Inc()
		state.WriteError(w, r, refusal(d, req))
		return nil
	}
	defer h.settle(r, st, backend, d.Slot)
	return next.ServeHTTP(w, r)
}

// reserve asks the backend, falling back or refusing per on_redis_error when
// Redis fails or the breaker is open. It returns the backend that holds the
// reservation. The Redis call runs on a context the client cannot cancel,
// with its own deadline: a client that leaves must not make Redis look down,
// nor switch shared limits off for everyone on the node.
func (h *Handler) reserve(ctx context.Context, req *rl.Request) (rl.Decision, rl.Backend, error) {
	if !h.redis {
		d, _ := h.local.Reserve(ctx, req)
		return d, h.local, nil
	}
	if h.breaker.allow(time.Now()) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(h.RedisTimeout))
		d, err := h.backend.Reserve(rctx, req)
		cancel()
		if err == nil {
			h.breaker.success()
			return d, h.backend, nil
		}
		h.backendFailed("rate limit backend unreachable", err)
	}
	fallbacks.WithLabelValues(h.OnRedisError).Inc()
	if h.OnRedisError == "closed" {
		return rl.Decision{}, nil, apierr.New(http.StatusServiceUnavailable, "rate_limit_unavailable",
			"The gateway cannot check rate limits right now; retry shortly.")
	}
	d, _ := h.local.Reserve(ctx, req)
	return d, h.local, nil
}

// backendFailed counts a real failure of a Redis call and feeds the breaker.
func (h *Handler) backendFailed(msg string, err error) {
	backendErrors.WithLabelValues(h.OnRedisError).Inc()
	if h.breaker.failure(time.Now()) {
		msg += "; breaker open"
	}
	h.warn(msg, err)
}

// warn logs at most once every 10 seconds, so an outage does not flood the log.
func (h *Handler) warn(msg string, err error) {
	now := time.Now().UnixNano()
	last := h.lastWarn.Load()
	if now-last > int64(10*time.Second) && h.lastWarn.CompareAndSwap(last, now) {
		h.logger.Warn(msg, zap.String("on_redis_error", h.OnRedisError), zap.Error(err))
	}
}

// settle replaces the estimate with what the call is billed, by the rule the
// usage row follows too (state.Request.Bill): the provider's usage, else the
// content the router counted, else the estimate for a call the provider
// took; nothing for a call no provider took.
func (h *Handler) settle(r *http.Request, st *state.Request, b rl.Backend, slot rl.Slot) {
	bill, c := st.Bill()
	tokens, cost := int64(bill.Prompt+bill.Completion), int64(c)
	var err error
	if b == rl.Backend(h.local) {
		// In process: nothing to wait for, and no timer to arm and stop.
		err = b.Settle(context.Background(), slot, tokens, cost)
	} else {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Duration(h.RedisTimeout))
		err = b.Settle(ctx, slot, tokens, cost)
		cancel()
	}
	switch {
	case err != nil:
		h.backendFailed("settling a rate limit reservation failed", err)
	case b != rl.Backend(h.local):
		h.breaker.success()
	}
}

// request builds the scopes of the call: the key, its user, its tenant and
// the model, each with the configured defaults overridden by the database.
func (h *Handler) request(st *state.Request, est estimate, now time.Time) *rl.Request {
	month := h.monthOf(now)
	req := &rl.Request{
		ID: st.ID, Tokens: est.bound, Cost: est.cost,
		Month: month.name, MonthEnd: month.end, Lease: time.Duration(h.MaxRequestDuration),
	}
	k := st.Key
	switch {
	case k != nil && h.scopes != nil:
		model := ""
		if est.model != nil {
			model = est.model.ID
		}
		req.Scopes = h.scopes.get(k, model, est.model != nil, func() []rl.Scope { return h.buildScopes(k, est.model) })
	default:
		req.Scopes = h.buildScopes(k, est.model)
	}
	return req
}

// buildScopes returns the scopes of a call: the key, its user, its tenant
// and the model, each with the configured defaults overridden by the
// database; those without limits are left out.
func (h *Handler) buildScopes(k *store.KeyRecord, model *catalog.Model) []rl.Scope {
	scopes := make([]rl.Scope, 0, 4) // key, user, tenant, model
	add := func(name string, l rl.Limits) {
		if !l.Zero() {
			scopes = append(scopes, rl.Scope{Name: name, Limits: l})
		}
	}
	if k != nil {
		add("key:"+k.ID, override(h.defaults[0], k.KeyLimits()))
		if k.UserID != "" {
			add("user:"+k.UserID, override(h.defaults[1], k.UserLimits))
		}
		add("tenant:"+k.TenantID, override(h.defaults[2], k.TenantLimits))
	}
	if model != nil {
		add("model:"+model.ID, h.defaults[3])
	}
	return scopes
}

// override applies the database's limits over the defaults, field by field.
func override(def rl.Limits, db store.Limits) rl.Limits {
	if db.RPM > 0 {
		def.RPM = int64(db.RPM)
	}
	if db.TPM > 0 {
		def.TPM = int64(db.TPM)
	}
	if db.Concurrency > 0 {
		def.Concurrency = int64(db.Concurrency)
	}
	if db.HasBudget {
		// A budget of zero allows nothing that costs: one picodollar is less
		// than any priced call.
		def.Budget = max(int64(db.Budget), 1)
	}
	return def
}

// refusal is the 429 for a decision.
func refusal(d rl.Decision, req *rl.Request) *apierr.Error {
	kind, _, _ := strings.Cut(d.Scope, ":")
	what := map[string]string{
		rl.ReasonRequests: "requests per minute", rl.ReasonTokens: "tokens per minute",
		rl.ReasonConcurrency: "concurrent requests", rl.ReasonBudget: "monthly budget",
	}[d.Reason]
	var e *apierr.Error
	switch {
	case d.Reason == rl.ReasonBudget:
		e = apierr.Newf(http.StatusTooManyRequests, "insufficient_quota",
			"The monthly budget of this %s is exhausted; it resets at the start of next month.", scopeWord(kind))
	case d.TooLarge:
		// As OpenAI words it: no wait helps, the request itself is too large.
		e = apierr.Newf(http.StatusTooManyRequests, "rate_limit_exceeded",
			"Request too large for tokens per minute of this %s: Limit %d, Requested %d. The input or output tokens must be reduced in order to run successfully (set max_tokens).",
			scopeWord(kind), scopeTPM(req, d.Scope), req.Tokens)
	default:
		e = apierr.Newf(http.StatusTooManyRequests, "rate_limit_exceeded",
			"Rate limit reached for %s of this %s. Please try again in %s.", what, scopeWord(kind), formatDuration(d.RetryAfter))
	}
	e.RetryAfter = max(d.RetryAfter, time.Second)
	return e
}

// scopeTPM returns the tokens per minute limit of the scope named name.
func scopeTPM(req *rl.Request, name string) int64 {
	for _, sc := range req.Scopes {
		if sc.Name == name {
			return sc.TPM
		}
	}
	return 0
}

func scopeWord(kind string) string {
	if kind == "key" {
		return "API key"
	}
	return kind
}

// rateHeaders are the canonical names of the x-ratelimit-* headers: limit,
// remaining and reset, for requests and for tokens.
var rateHeaders = [2][3]string{
	{"X-Ratelimit-Limit-Requests", "X-Ratelimit-Remaining-Requests", "X-Ratelimit-Reset-Requests"},
	{"X-Ratelimit-Limit-Tokens", "X-Ratelimit-Remaining-Tokens", "X-Ratelimit-Reset-Tokens"},
}

// setHeaders writes OpenAI's x-ratelimit-* headers for the tightest limits.
func setHeaders(hd http.Header, d rl.Decision) {
	var pairs [12]string
	n := 0
	for i, hr := range [2]rl.Headroom{d.Requests, d.Tokens} {
		if hr.Limit == 0 {
			continue
		}
		names := &rateHeaders[i]
		pairs[n], pairs[n+1] = names[0], limitText(hr.Limit)
		pairs[n+2], pairs[n+3] = names[1], strconv.FormatInt(hr.Remaining, 10)
		pairs[n+4], pairs[n+5] = names[2], formatDuration(hr.Reset)
		n += 6
	}
	state.SetHeaders(hd, pairs[:n]...)
}

// limitText formats a limit, remembering the last few: a key's limits are
// the same from request to request, and their text went into two headers
// of every admitted request.
func limitText(n int64) string {
	slot := &limitTexts[uint64(n)*0x9e3779b97f4a7c15>>58] // Fibonacci hashing: round limits differ in their high bits
	if t := slot.Load(); t != nil && t.n == n {
		return t.s
	}
	t := &numText{n: n, s: strconv.FormatInt(n, 10)}
	slot.Store(t)
	return t.s
}

type numText struct {
	n int64
	s string
}

var limitTexts [1 << 6]atomic.Pointer[numText]

// formatDuration renders durations as OpenAI does: "1s", "6m0s", "120ms".
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	r := d.Round(time.Second)
	if s := r / time.Second; s < time.Duration(len(wholeSeconds)) {
		return wholeSeconds[s] // a reset within the minute: no allocation
	}
	return r.String()
}

// wholeSeconds holds the renderings of 0s to 60s, the resets of the
// per-minute windows that every admitted request reports.
var wholeSeconds = func() (t [61]string) {
	for i := range t {
		t[i] = (time.Duration(i) * time.Second).String()
	}
	return t
}()

// estimate is what the call is expected to use, and the most it can use.
type estimate struct {
	model *catalog.Model
	// prompt and completion are the best estimates (the usage row's, the
	// router's context window check, and the bill of a call that ends
	// without usage or counted content).
	prompt, completion int
	// bound is the most prompt plus completion tokens the call can use, and
	// cost the most it can cost: what is reserved.
	bound, cost int64
}
