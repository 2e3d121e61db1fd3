// Package auth is the aigw_auth handler: it authenticates the API key of a
// gateway request and records the key, tenant and user in the request state.
package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/aigw/aigw/caddyplugins/app"
	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/store"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler authenticates requests by API key. Keys are looked up by their
// SHA-256 in PostgreSQL and cached in process, so the request path does not
// reach the database for a known key.
type Handler struct {
	// CacheTTL is how long a looked-up key is trusted before it is looked up
	// again; it bounds how long a revocation takes to apply (default 30s).
	CacheTTL caddy.Duration `json:"cache_ttl,omitempty"`
	// NegativeCacheTTL is how long an unknown key is remembered as unknown, so
	// that repeated bad keys do not reach the database (default 10s).
	NegativeCacheTTL caddy.Duration `json:"negative_cache_ttl,omitempty"`
	// CacheSize bounds the number of cached keys, known and unknown (default 100000).
	CacheSize int `json:"cache_size,omitempty"`
	// LookupTimeout bounds one database lookup (default 2s).
	LookupTimeout caddy.Duration `json:"lookup_timeout,omitempty"`

	store  *store.Store
	cache  *keyCache
	group  *singleflight.Group
	logger *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.aigw_auth", New: func() caddy.Module { return new(Handler) }}
}

// Provision sets defaults and takes the database from the aigw app.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	a, err := app.Load(ctx)
	if err != nil {
		return err
	}
	h.store = a.Store()
	if h.CacheTTL == 0 {
		h.CacheTTL = caddy.Duration(30 * time.Second)
	}
	if h.NegativeCacheTTL == 0 {
		h.NegativeCacheTTL = caddy.Duration(10 * time.Second)
	}
	if h.CacheSize == 0 {
		h.CacheSize = 100_000
	}
	if h.LookupTimeout == 0 {
		h.LookupTimeout = caddy.Duration(2 * time.Second)
	}
	h.group = new(singleflight.Group)
	h.cache = newKeyCache(time.Duration(h.CacheTTL), time.Duration(h.NegativeCacheTTL), h.CacheSize)
	return nil
}

// Validate checks the configuration.
func (h *Handler) Validate() error {
	if h.store == nil {
		return errors.New("aigw_auth needs a database: set database_url in the aigw global option")
	}
	if h.CacheTTL < 0 || h.NegativeCacheTTL < 0 || h.LookupTimeout <= 0 || h.CacheSize < 1 {
		return errors.New("aigw_auth: cache_ttl, negative_cache_ttl must not be negative; lookup_timeout and cache_size must be positive")
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
	r, st := state.Attach(r)
	key := bearer(r)
	if key == "" || !apikey.WellFormed(key) {
		state.WriteError(w, r, errUnauthorized)
		return nil
	}
	rec, err := h.lookup(r.Context(), apikey.Sum(key))
	if err != nil {
		h.logger.Error("API key lookup failed", zap.String("key_prefix", apikey.Display(key)), zap.Error(err))
		state.WriteError(w, r, errLookupFailed)
		return nil
	}
	if rec == nil {
		state.WriteError(w, r, errUnauthorized)
		return nil
	}
	if ok, why := rec.Usable(time.Now()); !ok {
		h.logger.Debug("API key refused", zap.String("key_prefix", rec.Prefix), zap.String("reason", why))
		state.WriteError(w, r, errUnauthorized)
		return nil
	}
	st.Key = rec
	caddyhttp.SetVar(r.Context(), "aigw.tenant", rec.TenantSlug)
	caddyhttp.SetVar(r.Context(), "aigw.key_prefix", rec.Prefix)
	return next.ServeHTTP(w, r)
}

// lookup returns the key's record, nil for an unknown key, or an error when
// the database cannot say. Concurrent misses for one key share one query.
func (h *Handler) lookup(ctx context.Context, hash apikey.Hash) (*store.KeyRecord, error) {
	if rec, ok := h.cache.get(hash); ok {
		return rec, nil
	}
	v, err, _ := h.group.Do(string(hash[:]), func() (any, error) {
		// Detached from the first caller's cancellation: others may be waiting.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(h.LookupTimeout))
		defer cancel()
		rec, err := h.store.LookupKey(lctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			h.cache.put(hash, nil)
			return (*store.KeyRecord)(nil), nil
		}
		if err != nil {
			return nil, err
		}
		h.cache.put(hash, rec)
		return rec, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*store.KeyRecord), nil
}

// bearer returns the key from "Authorization: Bearer <key>", or "".
func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") && len(v) <= 7+apikey.MaxLen {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
