// Package auth is the aigw_auth handler: it authenticates the API key of a
// gateway request, checks that the key may use the requested model, and
// records the key, tenant and user in the request state.
package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/store"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler authenticates requests by API key. Keys are looked up by their
// SHA-256 in PostgreSQL and cached in process, so the request path does not
// reach the database for a known key; a LISTEN/NOTIFY subscription drops
// changed keys (revoked, suspended, new limits) from the cache on every node
// within a second.
type Handler struct {
	// CacheTTL is how long a looked-up key is used before it is read again in
	// the background. Change notifications apply revocations at once; this
	// bounds how long one takes if notifications are lost (default 5m).
	CacheTTL caddy.Duration `json:"cache_ttl,omitempty"`
	// NegativeCacheTTL is how long an unknown key is remembered as unknown, so
	// that repeated bad keys do not reach the database (default 10s).
	NegativeCacheTTL caddy.Duration `json:"negative_cache_ttl,omitempty"`
	// StaleTTL is how long after its last successful read a known key keeps
	// working while the database cannot be reached (default 1h; 0 keeps the
	// default, use 1ns to disable). Unknown keys get 503 meanwhile.
	StaleTTL caddy.Duration `json:"stale_ttl,omitempty"`
	// CacheSize bounds the number of cached keys, known and unknown (default 100000).
	CacheSize int `json:"cache_size,omitempty"`
	// LookupTimeout bounds one database lookup (default 2s).
	LookupTimeout caddy.Duration `json:"lookup_timeout,omitempty"`
	// Notifications turns the LISTEN/NOTIFY subscription off when false
	// (default true).
	Notifications *bool `json:"notifications,omitempty"`
	// FailureThreshold is how many refused keys from one client address
	// within FailureWindow raise one security.invalid_api_keys audit event
	// (defaults 20 and 1m; a negative threshold turns the event off).
	FailureThreshold int            `json:"failure_threshold,omitempty"`
	FailureWindow    caddy.Duration `json:"failure_window,omitempty"`

	failures  *failureAudit
	store     *store.Store
	catalog   *catalog.Catalog
	bodyLimit int64
	cache     *keyCache
	group     *singleflight.Group
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
	// dbDownUntil is when (Unix ns) to try the database again for unknown keys.
	dbDownUntil *atomic.Int64
	logger      *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_auth", New: func() caddy.Module { return new(Handler) }}
}

// Provision sets defaults, takes the database and catalog from the aigw app and
// starts listening for key changes.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	a, err := app.Load(ctx)
	if err != nil {
		return err
	}
	h.store, h.catalog, h.bodyLimit = a.Store(), a.Catalog(), a.MaxRequestBody
	setDefault(&h.CacheTTL, 5*time.Minute)
	setDefault(&h.NegativeCacheTTL, 10*time.Second)
	setDefault(&h.StaleTTL, time.Hour)
	setDefault(&h.LookupTimeout, 2*time.Second)
	if h.CacheSize == 0 {
		h.CacheSize = 100_000
	}
	h.group, h.dbDownUntil = new(singleflight.Group), new(atomic.Int64)
	h.cache = newKeyCache(time.Duration(h.CacheTTL), time.Duration(h.NegativeCacheTTL), time.Duration(h.StaleTTL), h.CacheSize)
	setDefault(&h.FailureWindow, time.Minute)
	if h.FailureThreshold == 0 {
		h.FailureThreshold = 20
	}
	if q := a.Audit(); q != nil && h.FailureThreshold > 0 {
		h.failures = newFailureAudit(q, h.FailureThreshold, time.Duration(h.FailureWindow), h.logger)
	}
	h.ctx, h.cancel = context.WithCancel(ctx)
	if h.store != nil && (h.Notifications == nil || *h.Notifications) {
		h.done = make(chan struct{})
		go h.listen(h.ctx, h.done)
	}
	return nil
}

func setDefault(d *caddy.Duration, def time.Duration) {
	if *d == 0 {
		*d = caddy.Duration(def)
	}
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if h.store == nil {
		return errors.New("aigw_auth needs a database: set database_url in the aigw global option")
	}
	if h.CacheTTL < 0 || h.NegativeCacheTTL < 0 || h.StaleTTL < 0 || h.LookupTimeout <= 0 || h.CacheSize < 1 {
		return errors.New("aigw_auth: cache_ttl, negative_cache_ttl, stale_ttl must not be negative; lookup_timeout and cache_size must be positive")
	}
	return nil
}

// Cleanup stops the notification listener and background refreshes.
func (h *Handler) Cleanup() error {
	if h.cancel != nil {
		h.cancel()
	}
	if h.done != nil {
		<-h.done
	}
	return nil
}

var errUnauthorized = &apierr.Error{
	Status: http.StatusUnauthorized, Type: apierr.TypeInvalidRequest, Code: "invalid_api_key",
	Message: "Incorrect or missing API key. Pass a valid key as 'Authorization: Bearer <key>'.",
}

var errLookupFailed = apierr.New(http.StatusServiceUnavailable, "auth_unavailable",
	"The gateway cannot verify API keys right now; retry shortly.")

// ServeHTTP authenticates the request and hands it on.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	r, st := state.Attach(r, h.bodyLimit)
	key := presentedKey(r)
	if key == "" || !apikey.WellFormed(key) {
		h.refuse(w, r, nil, "malformed")
		return nil
	}
	rec, err := h.lookup(r.Context(), apikey.Sum(key))
	if err != nil {
		if !errors.Is(err, errDatabaseDown) { // logged once, not per request
			h.logger.Error("API key lookup failed", zap.String("key_prefix", apikey.Display(key)), zap.Error(err))
		}
		state.WriteError(w, r, errLookupFailed)
		return nil
	}
	if rec == nil {
		h.refuse(w, r, nil, "unknown")
		return nil
	}
	if ok, why := rec.Usable(time.Now()); !ok {
		h.logger.Debug("API key refused", zap.String("key_prefix", rec.Prefix), zap.String("reason", why))
		h.refuse(w, r, rec, why)
		return nil
	}
	st.Key = rec
	caddyhttp.SetVar(r.Context(), "aigw.tenant", rec.TenantSlug)
	caddyhttp.SetVar(r.Context(), "aigw.key_prefix", rec.Prefix)
	if len(rec.AllowedModels) > 0 {
		return h.serveRestricted(w, r, st, next)
	}
	return next.ServeHTTP(w, r)
}

// lookup returns the key's record, nil for an unknown key, or an error when
// the database cannot say and the cache has nothing usable. Concurrent misses
// for one key share one query; a stale known key is served at once and
// refreshed in the background.
func (h *Handler) lookup(ctx context.Context, hash apikey.Hash) (*store.KeyRecord, error) {
	rec, st := h.cache.get(hash)
	switch st {
	case fresh:
		return rec, nil
	case stale:
		h.group.DoChan(string(hash[:]), func() (any, error) { return h.refresh(h.ctx, hash, rec) })
		return rec, nil
	}
	if time.Now().UnixNano() < h.dbDownUntil.Load() {
		// The database failed a moment ago: answer 503 at once instead of
		// queueing every unknown key behind a lookup timeout.
		return nil, errDatabaseDown
	}
	v, err, _ := h.group.Do(string(hash[:]), func() (any, error) {
		// Detached from the first caller's cancellation: others may be waiting.
		return h.refresh(context.WithoutCancel(ctx), hash, nil)
	})
	if err != nil {
		return nil, err
	}
	return v.(*store.KeyRecord), nil
}

// refresh reads the key from the database into the cache. When the database
// fails and old is a record still within its stale window, old is kept and the
// next attempt put off.
func (h *Handler) refresh(ctx context.Context, hash apikey.Hash, old *store.KeyRecord) (*store.KeyRecord, error) {
	lctx, cancel := context.WithTimeout(ctx, time.Duration(h.LookupTimeout))
	defer cancel()
	rec, err := h.store.LookupKey(lctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.cache.put(hash, nil)
		return (*store.KeyRecord)(nil), nil
	case err != nil:
		h.dbDownUntil.Store(time.Now().Add(refreshRetry / 5).UnixNano())
		if old != nil {
			h.cache.retryLater(hash, refreshRetry)
			h.logger.Warn("API key refresh failed; serving the cached key", zap.String("key_prefix", old.Prefix), zap.Error(err))
		}
		return nil, err
	}
	h.cache.put(hash, rec)
	return rec, nil
}

var errDatabaseDown = errors.New("the database failed less than a second ago")

// refreshRetry is how long a stale key is served before its refresh is
// retried after a failure.
const refreshRetry = 5 * time.Second

// presentedKey returns the key from "Authorization: Bearer <key>" (OpenAI
// SDKs), "x-api-key" (Anthropic SDKs) or "api-key" (Azure OpenAI SDKs), or "".
func presentedKey(r *http.Request) string {
	if v := r.Header.Get("Authorization"); v != "" {
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") && len(v) <= 7+apikey.MaxLen {
			return strings.TrimSpace(v[7:])
		}
		return ""
	}
	for _, name := range []string{"X-Api-Key", "Api-Key"} {
		if v := r.Header.Get(name); v != "" && len(v) <= apikey.MaxLen {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
