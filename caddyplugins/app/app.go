// Package app is the `aigw` Caddy app: it owns what the gateway's handlers
// share — the loaded configuration (model catalog, providers, routing rules),
// the one PostgreSQL pool, the one audit queue, the usage writers and the
// optional Redis client — provisions them once per config and shares them
// across reloads, so a reload neither leaks nor drops them. Handlers take
// them from the app; none opens its own.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/catalog"
	_ "github.com/aigw/aigw/internal/providers/all" // the provider types the configuration may name
	"github.com/aigw/aigw/internal/store"
)

func init() {
	caddy.RegisterModule(App{})
}

// DefaultMaxRequestBody is the largest request body the gateway reads when
// max_request_body is not set: 8 MiB, room for long prompts and images.
const DefaultMaxRequestBody = state.DefaultBodyLimit

// App is the `aigw` app, configured in the Caddyfile's global options.
type App struct {
	// DatabaseURL is the PostgreSQL connection string. Placeholders such as
	// {env.DATABASE_URL} are expanded at provision time, so the secret never
	// appears in the adapted JSON. Required by handlers that store or look up.
	DatabaseURL string `json:"database_url,omitempty"`
	// MaxDBConns bounds the gateway's PostgreSQL pool (default 16).
	MaxDBConns int32 `json:"max_db_conns,omitempty"`
	// RedisURL, when set, connects the Redis client shared by the handlers of a
	// multi-node deployment (redis://host:port/db). Placeholders are expanded.
	// Empty on a single node: limits and caches then live in process.
	RedisURL string `json:"redis_url,omitempty"`
	// Models, Providers and RoutingRules are the configuration files (default
	// configs/models.yaml, configs/providers.yaml, configs/routing_rules.yaml,
	// relative to Caddy's working directory).
	Models       string `json:"models,omitempty"`
	Providers    string `json:"providers,omitempty"`
	RoutingRules string `json:"routing_rules,omitempty"`
	// Guardrails is the guardrail policy file that aigw_guardrail reads by
	// default (configs/guardrails.yaml).
	Guardrails string `json:"guardrails,omitempty"`
	// MaxRequestBody is the largest request body, in bytes, that the chain
	// reads (default 8 MiB); larger bodies get 413.
	MaxRequestBody int64 `json:"max_request_body,omitempty"`
	// AuditQueueSize bounds the audit events waiting to be written (default
	// 10000); beyond it events go to the on-disk spool, or are dropped,
	// counted and logged when the spool fails.
	AuditQueueSize int `json:"audit_queue_size,omitempty"`

	catalog   *catalog.Catalog
	db        *sharedDB
	dbKey     string
	dsn       string
	rdb       *sharedRedis
	redisKey  string
	mu        *sync.Mutex
	usageKeys []string
	logger    *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "aigw", New: func() caddy.Module { return new(App) }}
}

// Provision loads the configuration and prepares the shared clients. It does
// not connect: a database that is down must not fail `aigw validate` or a
// reload, and pgx connects on first use.
func (a *App) Provision(ctx caddy.Context) error {
	a.logger, a.mu = ctx.Logger(), new(sync.Mutex)
	repl := caddy.NewReplacer()
	paths := catalog.Paths{
		Models:       orDefault(repl.ReplaceKnown(a.Models, ""), catalog.DefaultPaths.Models),
		Providers:    orDefault(repl.ReplaceKnown(a.Providers, ""), catalog.DefaultPaths.Providers),
		RoutingRules: orDefault(repl.ReplaceKnown(a.RoutingRules, ""), catalog.DefaultPaths.RoutingRules),
	}
	a.Guardrails = orDefault(repl.ReplaceKnown(a.Guardrails, ""), "configs/guardrails.yaml")
	cat, err := catalog.Load(paths, os.Getenv)
	if err != nil {
		return fmt.Errorf("loading aigw configuration: %w", err)
	}
	a.catalog = cat
	if a.MaxRequestBody == 0 {
		a.MaxRequestBody = DefaultMaxRequestBody
	}
	if a.AuditQueueSize == 0 {
		a.AuditQueueSize = 10_000
	}
	if dsn := repl.ReplaceKnown(a.DatabaseURL, ""); dsn != "" {
		if err := a.provisionDB(dsn); err != nil {
			return err
		}
	}
	if url := repl.ReplaceKnown(a.RedisURL, ""); url != "" {
		if err := a.provisionRedis(url); err != nil {
			return err
		}
	}
	for _, p := range cat.Providers() {
		if ok, why := p.Available(); !ok {
			a.logger.Info("provider unavailable; its models are hidden", zap.String("provider", p.Name), zap.String("reason", why))
		}
	}
	return nil
}

// Validate checks the configuration values.
func (a *App) Validate() error {
	if a.MaxDBConns < 0 {
		return fmt.Errorf("max_db_conns %d: must not be negative", a.MaxDBConns)
	}
	if a.MaxRequestBody < 1024 {
		return fmt.Errorf("max_request_body %d: must be at least 1024 bytes", a.MaxRequestBody)
	}
	if a.AuditQueueSize < 1 {
		return fmt.Errorf("audit_queue_size %d: must be positive", a.AuditQueueSize)
	}
	return nil
}

// Start implements caddy.App. The shared clients connect lazily. Loading a
// config builds the model catalog, the guardrail engine and the tokenizer
// tables, and leaves tens of megabytes of garbage behind: it is collected and
// returned to the system once, so that a gateway at rest holds only what it
// uses.
func (a *App) Start() error {
	go debug.FreeOSMemory()
	return nil
}

// Stop implements caddy.App. Shared clients are released in Cleanup, after the
// next config has taken its references, so a reload keeps them.
func (a *App) Stop() error { return nil }

// Cleanup releases this config's references to the shared clients and
// writers (the usage writers first: they flush through the pool); the last
// reference closes them.
func (a *App) Cleanup() error {
	var errs []error
	var keys []string
	if a.mu != nil {
		a.mu.Lock()
		keys, a.usageKeys = a.usageKeys, nil
		a.mu.Unlock()
	}
	for _, key := range keys {
		if _, err := pools.Delete(key); err != nil {
			errs = append(errs, err)
		}
	}
	if a.dbKey != "" {
		if _, err := pools.Delete(a.dbKey); err != nil {
			errs = append(errs, err)
		}
	}
	if a.redisKey != "" {
		if _, err := pools.Delete(a.redisKey); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Catalog returns the loaded model catalog.
func (a *App) Catalog() *catalog.Catalog { return a.catalog }

// Store returns the data access layer, or nil when no database is configured.
func (a *App) Store() *store.Store {
	if a.db == nil {
		return nil
	}
	return a.db.store
}

// Audit returns the one audit queue, which spools to disk while PostgreSQL
// is down, or nil when no database is configured.
func (a *App) Audit() *audit.Queue {
	if a.db == nil {
		return nil
	}
	return a.db.audit
}

// Redis returns the shared Redis client, or nil on a single node.
func (a *App) Redis() *redis.Client {
	if a.rdb == nil {
		return nil
	}
	return a.rdb.client
}

// Results of a readiness check (Ready).
const (
	CheckOK            = "ok"
	CheckNotConfigured = "not configured"
)

// Ready checks what the gateway needs to serve within ctx's deadline: the
// configuration loaded, PostgreSQL and, when configured, Redis answering.
// It returns each check's result: CheckOK, CheckNotConfigured or what went
// wrong, in words safe to show (no address, no secret).
func (a *App) Ready(ctx context.Context) map[string]string {
	out := map[string]string{"config": CheckOK, "database": CheckNotConfigured, "redis": CheckNotConfigured}
	if a.catalog == nil {
		out["config"] = "not loaded"
	}
	if a.db != nil {
		out["database"] = CheckOK
		if err := a.db.pool.Ping(ctx); err != nil {
			out["database"] = unreachable(ctx)
		}
	}
	if a.rdb != nil {
		out["redis"] = CheckOK
		if err := a.rdb.client.Ping(ctx).Err(); err != nil {
			out["redis"] = unreachable(ctx)
		}
	}
	return out
}

func unreachable(ctx context.Context) string {
	if ctx.Err() != nil {
		return "no answer in time"
	}
	return "unreachable"
}

// Load returns the aigw app of ctx's config, provisioning it if needed. Handlers
// call it from their Provision.
func Load(ctx caddy.Context) (*App, error) {
	v, err := ctx.App("aigw")
	if err != nil {
		return nil, fmt.Errorf("getting the aigw app: %w", err)
	}
	return v.(*App), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Interface guards.
var (
	_ caddy.App          = (*App)(nil)
	_ caddy.Provisioner  = (*App)(nil)
	_ caddy.Validator    = (*App)(nil)
	_ caddy.CleanerUpper = (*App)(nil)
)

// dialTimeout bounds connecting to PostgreSQL or Redis.
const dialTimeout = 5 * time.Second
