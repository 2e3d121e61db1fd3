// Package ratelimit is the aigw_ratelimit handler: requests per minute, tokens
// per minute, concurrent requests and monthly budgets per API key, user,
// tenant and model. Token limits and budgets reserve an estimate before the
// call and settle with the provider's real usage after it, streams included.
// The counting itself lives in internal/ratelimit, in process or in Redis.
package ratelimit

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
	rl "github.com/aigw/aigw/internal/ratelimit"
	"github.com/aigw/aigw/internal/tokenizer"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Limits are default limits for one kind of scope. Zero fields are unlimited.
type Limits struct {
	// RPM is requests per minute.
	RPM int64 `json:"rpm,omitempty"`
	// TPM is tokens (prompt plus completion) per minute.
	TPM int64 `json:"tpm,omitempty"`
	// Concurrency is requests in flight at once.
	Concurrency int64 `json:"concurrency,omitempty"`
	// Budget is the monthly spend cap in US dollars, as a decimal string such
	// as "100" or "99.50" (at most six decimals); empty for none.
	Budget string `json:"budget,omitempty"`
}

// Handler enforces limits and budgets.
type Handler struct {
	// Backend is where counts live: "memory" (this process; exact on one
	// node), "redis" (the aigw app's Redis, shared by every node) or "auto"
	// (redis when the aigw app has redis_url, memory otherwise). Default auto.
	Backend string `json:"backend,omitempty"`
	// OnRedisError is what happens when Redis cannot be reached: "open"
	// (default) falls back to this node's in-process limits; "closed" refuses
	// with 503. A failed call decides its own request; three failures in a
	// row open a breaker that skips Redis for a second, then one request
	// probes it. Redis calls run on a context the client cannot cancel, so
	// only Redis's own failures count (aigw_ratelimit_backend_errors_total);
	// requests decided without it are counted in aigw_ratelimit_fallbacks_total.
	OnRedisError string `json:"on_redis_error,omitempty"`
	// RedisTimeout bounds one Redis round trip (default 250ms).
	RedisTimeout caddy.Duration `json:"redis_timeout,omitempty"`
	// KeyPrefix starts every Redis key (default "aigw:rl:"). It also names
	// the in-process counters, which live as long as the process, so a reload
	// does not reset them.
	KeyPrefix string `json:"key_prefix,omitempty"`
	// TimeZone is the IANA zone whose calendar months budgets follow
	// (default UTC).
	TimeZone string `json:"time_zone,omitempty"`
	// DefaultMaxTokens is the completion estimate of a request that sets no
	// max_tokens, capped by the model's own output limit (default 4096). It
	// is what a usage row records as estimated; the reservation is the
	// model's output limit (see the README's bound).
	DefaultMaxTokens int `json:"default_max_tokens,omitempty"`
	// ImageTokens is what each image part of a prompt reserves, in tokens
	// (default 4000): more than the most an image costs on OpenAI's gpt-4o,
	// gpt-4.1 (mini and nano included), gpt-5 and o-series models, Claude and
	// Gemini at default resolution; not gpt-4o-mini, which bills up to
	// 48,169 tokens for one high-detail image.
	ImageTokens int `json:"image_tokens,omitempty"`
	// MaxRequestDuration bounds how long a concurrency slot outlives a node
	// that died holding it (Redis only; default 10m).
	MaxRequestDuration caddy.Duration `json:"max_request_duration,omitempty"`
	// Key, User, Tenant and Model are the default limits of each API key, each
	// user, each tenant and each model. Limits stored in the database for a
	// key, user or tenant override these field by field; a database budget
	// of 0 allows no spending. A budget resumes after a restart from the
	// month's spend recorded in usage_logs, read once per budget and month.
	Key    *Limits `json:"key,omitempty"`
	User   *Limits `json:"user,omitempty"`
	Tenant *Limits `json:"tenant,omitempty"`
	Model  *Limits `json:"model,omitempty"`

	backend   rl.Backend
	local     *rl.Memory
	redis     bool
	catalog   *catalog.Catalog
	budgets   *budgetSeeder
	bodyLimit int64
	loc       *time.Location
	defaults  [4]rl.Limits // key, user, tenant, model
	lastWarn  *atomic.Int64
	scopes    *scopeCache
	month     *monthCache
	breaker   *breaker
	logger    *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_ratelimit", New: func() caddy.Module { return new(Handler) }}
}

// Provision sets defaults and picks the backend.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	a, err := app.Load(ctx)
	if err != nil {
		return err
	}
	h.catalog, h.bodyLimit = a.Catalog(), a.MaxRequestBody
	if h.Backend == "" {
		h.Backend = "auto"
	}
	if h.OnRedisError == "" {
		h.OnRedisError = "open"
	}
	if h.RedisTimeout == 0 {
		h.RedisTimeout = caddy.Duration(250 * time.Millisecond)
	}
	if h.KeyPrefix == "" {
		h.KeyPrefix = "aigw:rl:"
	}
	if h.DefaultMaxTokens == 0 {
		h.DefaultMaxTokens = 4096
	}
	if h.MaxRequestDuration == 0 {
		h.MaxRequestDuration = caddy.Duration(10 * time.Minute)
	}
	if h.TimeZone == "" {
		h.TimeZone = "UTC"
	}
	if h.loc, err = time.LoadLocation(h.TimeZone); err != nil {
		return fmt.Errorf("time_zone %q: %w", h.TimeZone, err)
	}
	for i, l := range []*Limits{h.Key, h.User, h.Tenant, h.Model} {
		if h.defaults[i], err = l.compile(); err != nil {
			return err
		}
	}
	if h.ImageTokens == 0 {
		h.ImageTokens = 4000
	}
	h.lastWarn, h.breaker = new(atomic.Int64), new(breaker)
	h.scopes, h.month = new(scopeCache), new(monthCache)
	h.local = localBackend(h.KeyPrefix)
	h.backend = h.local
	rdb := a.Redis()
	switch {
	case h.Backend == "redis" && rdb == nil:
		return errors.New("aigw_ratelimit: backend redis needs redis_url in the aigw global option")
	case h.Backend == "redis", h.Backend == "auto" && rdb != nil:
		h.backend, h.redis = rl.NewRedis(rdb, h.KeyPrefix, nil), true
	}
	h.budgets = newBudgetSeeder(a.Store(), h.loc, h.logger)
	registerMetrics(ctx)
	tokenizer.Warm()
	return nil
}

// locals are the in-process backends, one per key prefix, kept for the life
// of the process so that a config reload does not reset counts and budgets.
var (
	localsMu sync.Mutex
	locals   = map[string]*rl.Memory{}
)

func localBackend(prefix string) *rl.Memory {
	localsMu.Lock()
	defer localsMu.Unlock()
	m := locals[prefix]
	if m == nil {
		m = rl.NewMemory(nil)
		locals[prefix] = m
	}
	return m
}

// compile turns configured limits into counting limits.
func (l *Limits) compile() (rl.Limits, error) {
	if l == nil {
		return rl.Limits{}, nil
	}
	out := rl.Limits{RPM: l.RPM, TPM: l.TPM, Concurrency: l.Concurrency}
	if l.Budget != "" {
		b, err := parseUSD(l.Budget)
		if err != nil {
			return out, err
		}
		out.Budget = int64(b)
	}
	return out, nil
}

// parseUSD parses a dollar amount into picodollars.
func parseUSD(s string) (money.Pico, error) {
	r, err := money.ParseRate(s) // dollars per million tokens = micro-dollars per token
	if err != nil || r <= 0 || int64(r) > 9_000_000_000_000 {
		return 0, fmt.Errorf("budget %q: want a positive dollar amount such as 100 or 99.50", s)
	}
	return money.Pico(int64(r) * 1_000_000), nil
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	switch h.Backend {
	case "auto", "memory", "redis":
	default:
		return fmt.Errorf("aigw_ratelimit: backend %q: want auto, memory or redis", h.Backend)
	}
	if h.OnRedisError != "open" && h.OnRedisError != "closed" {
		return fmt.Errorf("aigw_ratelimit: on_redis_error %q: want open or closed", h.OnRedisError)
	}
	if h.RedisTimeout <= 0 || h.DefaultMaxTokens < 1 || h.MaxRequestDuration <= 0 || h.ImageTokens < 1 {
		return errors.New("aigw_ratelimit: redis_timeout, default_max_tokens, image_tokens and max_request_duration must be positive")
	}
	for _, l := range h.defaults {
		if l.RPM < 0 || l.TPM < 0 || l.Concurrency < 0 {
			return errors.New("aigw_ratelimit: limits must not be negative")
		}
	}
	return nil
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
