package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/session"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

// Cookie names. The session cookie is HttpOnly and SameSite=Strict; the
// CSRF cookie is readable by the dashboard's script, which echoes it in the
// X-CSRF-Token header of unsafe requests.
const (
	SessionCookie = "aigw_session"
	CSRFCookie    = "aigw_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

// Principal is the signed-in caller of a request.
type Principal struct {
	// SessionID is the session's id.
	SessionID string
	// Method is how the caller signed in (password or sso).
	Method string
	// ExpiresAt is the session's absolute end.
	ExpiresAt time.Time
	// ViaCookie is true when the session came in the cookie, not the header.
	ViaCookie bool
	// User and Tenant are the caller and their tenant as the database has
	// them now (a role change applies to the next request).
	User   tenantdb.UserInfo
	Tenant store.Tenant
}

var errNoSession = apierr.New(http.StatusUnauthorized, CodeUnauthenticated,
	"sign in first: send the session token as \"Authorization: Bearer <token>\" or in the aigw_session cookie")
var errBadSession = apierr.New(http.StatusUnauthorized, CodeUnauthenticated, "the session is invalid, expired or signed out; sign in again")

// authenticate finds the request's session: the bearer token, else the
// cookie. The token's signature is checked before the database is asked.
func (s *Server) authenticate(r *http.Request) (*Principal, error) {
	token, viaCookie := "", false
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(rest) == "" {
			return nil, errBadSession
		}
		token = strings.TrimSpace(rest)
	} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		token, viaCookie = c.Value, true
	} else {
		return nil, errNoSession
	}
	now := s.now()
	claims, err := s.signer.Parse(token, now)
	if err != nil {
		return nil, errBadSession
	}
	su, err := s.accounts.ActiveSession(r.Context(), claims.SessionID, now, s.cfg.IdleTimeout)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (su.User.ID != claims.UserID || su.Tenant.ID != claims.TenantID)) {
		return nil, errBadSession
	} else if err != nil {
		return nil, err
	}
	if err := s.accounts.TouchSession(r.Context(), su.SessionID, now); err != nil {
		s.logger.Warn("touching admin session", zap.Error(err))
	}
	return &Principal{SessionID: su.SessionID, Method: su.Method, ExpiresAt: su.ExpiresAt, ViaCookie: viaCookie,
		User: su.User, Tenant: su.Tenant}, nil
}

// authorize authenticates c's request, checks CSRF for cookie sessions on
// unsafe methods and the role's grant for the route, and binds c's store to
// the caller's tenant (and to the caller alone for GrantOwn). A refusal by
// role is audited as a security event.
func (s *Server) authorize(c *Call) error {
	p, err := s.authenticate(c.R)
	if err != nil {
		return err
	}
	actor := tenantdb.Actor{UserID: p.User.ID, ClientIP: s.clientIP(c.R), RequestID: requestID(c.R.Context())}
	scope := s.tenantDB(p.Tenant.ID, actor)
	if p.ViaCookie && !safeMethod(c.R.Method) && !s.signer.CheckCSRF(p.SessionID, c.R.Header.Get(CSRFHeader)) {
		return apierr.New(http.StatusForbidden, CodeCSRF, "a signed-in browser must send the aigw_csrf cookie's value in the X-CSRF-Token header")
	}
	grant := GrantOf(p.User.Role, c.Route.Perm)
	if grant == GrantNone {
		s.recordDenial(c, scope, p)
		return forbidden("your role may not do this")
	}
	if grant == GrantOwn {
		scope = scope.Owner(p.User.ID)
	}
	c.Principal, c.Grant, c.scope = p, grant, scope
	return nil
}

func (s *Server) recordDenial(c *Call, scope *tenantdb.DB, p *Principal) {
	err := scope.Record(c.R.Context(), audit.Event{Action: "security.permission_denied", Outcome: audit.OutcomeDenied,
		Severity: audit.SeverityWarning, ResourceType: "route", ResourceID: c.Route.Method + " " + c.Route.Path,
		Details: map[string]any{"role": p.User.Role, "permission": string(c.Route.Perm)}})
	if err != nil {
		s.logger.Error("auditing a permission denial", zap.Error(err))
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// clientIP is the request's peer address or, when the peer is a trusted
// proxy, the last address X-Forwarded-For names that is not one.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0 && s.trusted(addr); i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = a
	}
	return addr.Unmap().String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

func newRequestID() string {
	var b [12]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return "adm_" + hex.EncodeToString(b[:])
}

func randomSecret() []byte {
	b := make([]byte, session.MinSecretLen)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail
	return b
}

// tenantDB is the store bound to tenantID, acting as actor, on the server's clock.
func (s *Server) tenantDB(tenantID string, actor tenantdb.Actor) *tenantdb.DB {
	return tenantdb.New(s.store, tenantID, actor, tenantdb.WithClock(s.now))
}
