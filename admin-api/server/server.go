// Package server is the admin API: aigw's management plane over HTTP, under
// /api/v1/admin, on the data layer the gateway shares (internal/store,
// internal/audit, internal/guard).
//
// # Adding a resource
//
// One file per resource (users.go, keys.go, billing.go ...). The file
// declares its routes in an init function:
//
//	func init() {
//		addRoutes(Route{
//			Method: "GET", Path: "/widgets/{widget_id}", Perm: PermWidgetsRead,
//			Handle: getWidget,
//			Doc: Doc{Tag: "widgets", Summary: "Read a widget", Response: Widget{}, Errors: []int{404}},
//		})
//	}
//
//	func getWidget(c *Call) error {
//		id, err := c.ID("widget_id")
//		...
//		w, err := c.Store().Widget(c.R.Context(), id) // scoped to the caller's tenant
//		...
//		return c.JSON(http.StatusOK, w)
//	}
//
// and adds its permissions (one row each) to permissionTable in
// permissions.go. Nothing else changes: the server routes it, checks the
// session and the role, binds c.Store() to the caller's tenant (and to the
// caller alone for GrantOwn), and the OpenAPI document describes it from
// Doc. Changes go through store.Scoped methods, which run in one
// transaction with their audit event. Bodies are read with c.Decode (unknown
// fields, wrong types, oversize bodies are 400/413 naming the field), query
// parameters with c.Query, ids with c.ID; errors are returned, and
// writeError gives them their status.
package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/session"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

// Config configures the admin API.
type Config struct {
	// Store is the data layer; required.
	Store *store.Store
	// Logger receives operational logs (never passwords, tokens or keys).
	Logger *zap.Logger
	// SessionSecret signs session tokens (at least 32 bytes). Required
	// unless Development, where an empty one is replaced by a random one
	// that lives as long as the process.
	SessionSecret []byte
	// Development opens registration and allows cookies without Secure
	// over plain HTTP; `make run` sets it. Never the default.
	Development bool
	// AllowRegistration opens POST /auth/register outside development.
	AllowRegistration bool
	// SessionTTL is a session's absolute lifetime (default 8h).
	SessionTTL time.Duration
	// IdleTimeout ends a session unused for this long (default 1h).
	IdleTimeout time.Duration
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// (default loopback: the gateway proxies /api/v1/admin from the same host).
	TrustedProxies []netip.Prefix
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Configs are the gateway's configuration files the admin API reads
	// (model catalog, guardrail policies).
	Configs ConfigPaths
	// SSO configures single sign-on: the public URL, the keyring that seals
	// client secrets, where sign-ins in progress are kept (see SSOOptions).
	SSO SSOOptions
}

// Server is the admin API handler.
type Server struct {
	cfg      Config
	store    *store.Store
	accounts *tenantdb.Accounts
	logger   *zap.Logger
	signer   *session.Signer
	mux      *http.ServeMux
	now      func() time.Time
	// methods lists every method some route uses, to tell 405 from 404.
	methods []string
	res     *resources
	sso     *ssoService
}

// New returns the admin API handler for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("admin API: a store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = time.Hour
	}
	if cfg.TrustedProxies == nil {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	secret := cfg.SessionSecret
	if len(secret) == 0 && cfg.Development {
		secret = randomSecret()
		cfg.Logger.Warn("SESSION_SECRET is not set: development mode signs sessions with a random secret; they end when the process does")
	}
	signer, err := session.NewSigner(secret)
	if err != nil {
		return nil, fmt.Errorf("admin API: SESSION_SECRET: %w", err)
	}
	res, err := loadResources(cfg.Configs)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: cfg.Store, accounts: tenantdb.NewAccounts(cfg.Store, tenantdb.WithClock(cfg.Now)), logger: cfg.Logger, signer: signer, mux: http.NewServeMux(), now: cfg.Now, res: res}
	if s.sso, err = newSSOService(cfg); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range registry {
		rt := &registry[i]
		s.mux.Handle(rt.Method+" "+Prefix+rt.Path, s.handler(rt))
		if !seen[rt.Method] {
			seen[rt.Method] = true
			s.methods = append(s.methods, rt.Method)
		}
	}
	return s, nil
}

// ServeHTTP refuses paths that are not clean (no dot segments, no doubled
// slashes), gives every request an id, and serves it from its route, or
// answers a JSON 404 or 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := newRequestID()
	w.Header().Set("X-Request-Id", id)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !cleanPath(r.URL.Path, r.URL.RawPath) {
		apierr.Write(w, apierr.New(http.StatusBadRequest, CodeInvalidPath, "the path is not clean: no '.', '..' or empty segments, no encoded slashes"))
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	var allowed []string
	for _, m := range s.methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		apierr.Write(w, apierr.Newf(http.StatusMethodNotAllowed, CodeMethod, "method %s is not allowed here; allowed: %s", r.Method, strings.Join(allowed, ", ")))
		return
	}
	apierr.Write(w, apierr.Newf(http.StatusNotFound, CodeRouteNotFound, "no admin API route %s %s; see %s/openapi.json", r.Method, r.URL.Path, Prefix))
}

// cleanPath reports whether p (decoded; raw as sent, when it differs) has
// no dot segments, empty segments, backslashes or encoded slashes, so that
// no path reaches a route by traversal.
func cleanPath(p, raw string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') {
		return false
	}
	if c := path.Clean(p); c != p && c+"/" != p {
		return false
	}
	raw = strings.ToLower(raw)
	return !strings.Contains(raw, "%2f") && !strings.Contains(raw, "%5c")
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// handler serves one route: session, CSRF and permission checks, the
// tenant-bound store, the handler, its error.
func (s *Server) handler(rt *Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic serving %s %s: %v", rt.Method, rt.Path, v))
			}
		}()
		c := &Call{W: w, R: r, Route: rt, srv: s}
		if rt.Perm != PermPublic {
			if err := s.authorize(c); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := rt.Handle(c); err != nil {
			s.writeError(w, r, err)
		}
	})
}
