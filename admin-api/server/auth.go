package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/session"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "POST", Path: "/auth/register", Perm: PermPublic, Handle: register,
			Doc: Doc{Tag: "auth", Summary: "Register a tenant and its first admin",
				Description: "Open in development (make run) or with AIGW_ALLOW_REGISTRATION=true; otherwise 403.",
				Request:     registerRequest{}, Response: SignIn{}, Status: http.StatusCreated, Errors: []int{403, 409}}},
		Route{Method: "POST", Path: "/auth/login", Perm: PermPublic, Handle: login,
			Doc: Doc{Tag: "auth", Summary: "Sign in with e-mail and password",
				Description: "A wrong e-mail or password is one 401. Repeated failures per account and per address are throttled (429 with Retry-After). A right password of a tenant that requires single sign-on is a 403 sso_required.",
				Request:     loginRequest{}, Response: SignIn{}, Errors: []int{401, 403, 429}}},
		Route{Method: "POST", Path: "/auth/logout", Perm: PermSession, Handle: logout,
			Doc: Doc{Tag: "auth", Summary: "Sign out: the session's token stops working at once"}},
		Route{Method: "GET", Path: "/auth/me", Perm: PermSession, Handle: me,
			Doc: Doc{Tag: "auth", Summary: "The signed-in user, tenant, session and role permissions",
				Description: "permissions maps every permission to the caller's grant (tenant, own or none): the dashboard shows what this says.",
				Response:    Me{}}},
	)
}

// Login throttling: more failures than this within throttleWindow refuse
// further sign-ins of the account, or from the address, until the window
// has passed since the last failure.
const (
	maxAccountFailures = 5
	maxAddressFailures = 20
	throttleWindow     = 15 * time.Minute
)

type registerRequest struct {
	TenantName string `json:"tenant_name" required:"true" doc:"the organisation's name; the tenant's slug is derived from it"`
	Email      string `json:"email" required:"true" format:"email"`
	Password   string `json:"password" required:"true" doc:"12 to 256 characters"`
	Name       string `json:"name" required:"true" doc:"the admin's display name"`
}

type loginRequest struct {
	Email    string `json:"email" required:"true" format:"email"`
	Password string `json:"password" required:"true"`
	Tenant   string `json:"tenant,omitempty" doc:"tenant slug; needed only when the e-mail has accounts in several tenants"`
}

// SignIn is what a successful sign-in (password, registration or SSO) answers.
type SignIn struct {
	AccessToken string `json:"access_token" doc:"send as Authorization: Bearer; also set as the aigw_session cookie"`
	TokenType   string `json:"token_type" enum:"bearer"`
	ExpiresIn   int    `json:"expires_in" doc:"seconds until the session ends at the latest; an idle session ends earlier"`
	CSRFToken   string `json:"csrf_token" doc:"for cookie sessions: send in X-CSRF-Token on unsafe methods (also the aigw_csrf cookie)"`
	User        User   `json:"user"`
	Tenant      Tenant `json:"tenant"`
}

// Me is GET /auth/me's answer.
type Me struct {
	User        User                 `json:"user"`
	Tenant      Tenant               `json:"tenant"`
	Session     SessionInfo          `json:"session"`
	Permissions map[Permission]Grant `json:"permissions" doc:"every permission with the caller's grant: tenant, own or none"`
}

// SessionInfo describes the caller's session.
type SessionInfo struct {
	Method    string    `json:"method" enum:"password,sso"`
	ExpiresAt time.Time `json:"expires_at"`
}

func register(c *Call) error {
	s := c.srv
	if !s.cfg.Development && !s.cfg.AllowRegistration {
		return apierr.New(http.StatusForbidden, CodeRegistration, "registration is closed; an administrator can add you (AIGW_ALLOW_REGISTRATION=true opens it)")
	}
	var req registerRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	if err := session.CheckPolicy(req.Password); err != nil {
		return badField("password", "%v", errors.Unwrap(err))
	}
	reg := tenantdb.Registration{TenantName: req.TenantName, Admin: tenantdb.NewUser{Email: req.Email, DisplayName: req.Name}}
	if err := reg.Validate(); err != nil {
		return err
	}
	hash, err := session.HashPassword(req.Password)
	if err != nil {
		return err
	}
	reg.Admin.PasswordHash = hash
	actor := tenantdb.Actor{ClientIP: s.clientIP(c.R), RequestID: requestID(c.R.Context())}
	tn, u, err := s.accounts.Register(c.R.Context(), reg, actor)
	if err != nil {
		return err
	}
	out, err := s.IssueSession(c.R.Context(), c.W, c.R, tn.ID, u.ID, tenantdb.SessionPassword)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

var errBadLogin = apierr.New(http.StatusUnauthorized, CodeUnauthenticated, "wrong e-mail or password")

func login(c *Call) error {
	s, ctx := c.srv, c.R.Context()
	var req loginRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	if req.Email == "" || len(req.Email) > 254 {
		return badField("email", "required, at most 254 characters")
	}
	if req.Password == "" || len(req.Password) > 4*session.MaxPasswordLen {
		return badField("password", "required")
	}
	ip := s.clientIP(c.R)
	scopes := []string{accountScope(req.Email), "address:" + ip}
	now := s.now()
	counts, err := s.accounts.LoginFailures(ctx, scopes, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	if counts[scopes[0]] >= maxAccountFailures || counts[scopes[1]] >= maxAddressFailures {
		e := apierr.New(http.StatusTooManyRequests, CodeThrottled, "too many failed sign-ins; try again later")
		e.RetryAfter = throttleWindow
		return e
	}
	creds, err := s.accounts.Credentials(ctx, req.Email, req.Tenant)
	if err != nil {
		return err
	}
	matched, rehash := matchPassword(creds, req.Password)
	if len(matched) == 0 {
		s.loginFailed(c, creds, scopes, counts, ip)
		return errBadLogin
	}
	if len(matched) > 1 {
		return badField("tenant", "this e-mail has accounts in several tenants; give the tenant's slug")
	}
	cr := matched[0]
	if err := s.refuseSSOOnly(c, cr); err != nil {
		return err
	}
	if err := s.accounts.ClearLoginFailures(ctx, scopes[0]); err != nil {
		return err
	}
	out, err := s.issueSession(ctx, c.W, c.R, cr.TenantID, cr.UserID, tenantdb.SessionPassword, rehash)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// matchPassword returns the active credentials pw opens and, when one is
// opened by a hash that needs replacing, its replacement. With no
// candidate, it spends the time a check takes, so an unknown e-mail is not
// told apart by timing.
func matchPassword(creds []tenantdb.Credential, pw string) ([]tenantdb.Credential, string) {
	if len(creds) == 0 {
		session.Waste(pw)
		return nil, ""
	}
	var out []tenantdb.Credential
	rehash := ""
	for _, cr := range creds {
		ok, needs, err := session.CheckPassword(cr.PasswordHash, pw)
		if err != nil || !ok || !cr.Active {
			continue
		}
		out = append(out, cr)
		if needs {
			rehash, _ = session.HashPassword(pw)
		}
	}
	return out, rehash
}

// loginFailed records a failed sign-in for throttling and in the audit
// trail: on the tenant's chain when the e-mail names one account, else on
// the system chain. The failure that reaches a limit is audited as
// security.login_throttled.
func (s *Server) loginFailed(c *Call, creds []tenantdb.Credential, scopes []string, counts map[string]int, ip string) {
	ctx := context.WithoutCancel(c.R.Context())
	if err := s.accounts.RecordLoginFailure(ctx, scopes, s.now(), 24*time.Hour); err != nil {
		s.logger.Error("recording a failed sign-in", zap.Error(err))
	}
	ev := audit.Event{Action: "auth.login", ActorType: audit.ActorSystem, ActorID: "aigw-admin", ResourceType: "session",
		Outcome: audit.OutcomeFailure, Severity: audit.SeverityWarning, ClientIP: ip, RequestID: requestID(ctx),
		Details: map[string]any{"reason": "wrong e-mail or password"}}
	if len(creds) == 1 {
		ev.TenantID, ev.ResourceType, ev.ResourceID = creds[0].TenantID, "user", creds[0].UserID
	}
	events := []audit.Event{ev}
	if counts[scopes[0]]+1 == maxAccountFailures || counts[scopes[1]]+1 == maxAddressFailures {
		th := ev
		th.Action, th.Outcome, th.Details = "security.login_throttled", audit.OutcomeDenied, map[string]any{
			"account_failures": counts[scopes[0]] + 1, "address_failures": counts[scopes[1]] + 1,
			"window_seconds": int64(throttleWindow / time.Second)}
		events = append(events, th)
	}
	if err := s.accounts.Record(ctx, events...); err != nil {
		s.logger.Error("auditing a failed sign-in", zap.Error(err))
	}
}

// accountScope is the throttling scope of an e-mail: a hash, so the table
// holds no address in clear.
func accountScope(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "account:" + hex.EncodeToString(sum[:])
}

// IssueSession signs user userID of tenant tenantID in, exactly as a
// password sign-in does: it opens a session (audited as auth.login with
// method, tenantdb.SessionPassword or tenantdb.SessionSSO), sets the session and
// CSRF cookies on w, and returns the body a sign-in answers. SSO's callback
// calls it once the identity provider has vouched for the user.
func (s *Server) IssueSession(ctx context.Context, w http.ResponseWriter, r *http.Request, tenantID, userID, method string) (*SignIn, error) {
	return s.issueSession(ctx, w, r, tenantID, userID, method, "")
}

func (s *Server) issueSession(ctx context.Context, w http.ResponseWriter, r *http.Request, tenantID, userID, method, rehash string) (*SignIn, error) {
	now := s.now().UTC().Truncate(time.Second)
	expires := now.Add(s.cfg.SessionTTL)
	actor := tenantdb.Actor{UserID: userID, ClientIP: s.clientIP(r), RequestID: requestID(r.Context())}
	scope := s.tenantDB(tenantID, actor)
	sid, err := scope.OpenSession(ctx, tenantdb.SessionStart{UserID: userID, Method: method, Now: now, ExpiresAt: expires, PasswordRehash: rehash})
	if err != nil {
		return nil, err
	}
	token, err := s.signer.Sign(session.Claims{SessionID: sid, UserID: userID, TenantID: tenantID, IssuedAt: now, ExpiresAt: expires})
	if err != nil {
		return nil, err
	}
	u, err := scope.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	tn, err := s.accounts.TenantByID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	csrf := s.signer.CSRFToken(sid)
	s.setCookies(w, r, token, csrf, expires)
	return &SignIn{AccessToken: token, TokenType: "bearer", ExpiresIn: int(expires.Sub(now) / time.Second),
		CSRFToken: csrf, User: userView(u), Tenant: tenantView(tn)}, nil
}

func (s *Server) setCookies(w http.ResponseWriter, r *http.Request, token, csrf string, expires time.Time) {
	secure := !s.cfg.Development || r.TLS != nil
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: Prefix, Expires: expires,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: csrf, Path: "/", Expires: expires,
		Secure: secure, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearCookies(w http.ResponseWriter, r *http.Request) {
	secure := !s.cfg.Development || r.TLS != nil
	for _, c := range []*http.Cookie{{Name: SessionCookie, Path: Prefix, HttpOnly: true}, {Name: CSRFCookie, Path: "/"}} {
		c.MaxAge, c.Secure, c.SameSite = -1, secure, http.SameSiteStrictMode
		http.SetCookie(w, c)
	}
}

func logout(c *Call) error {
	if err := c.Store().CloseSession(c.R.Context(), c.Principal.SessionID); err != nil {
		return err
	}
	c.srv.clearCookies(c.W, c.R)
	return c.NoContent()
}

func me(c *Call) error {
	p := c.Principal
	return c.JSON(http.StatusOK, Me{User: userView(&p.User), Tenant: tenantView(&p.Tenant),
		Session:     SessionInfo{Method: p.Method, ExpiresAt: p.ExpiresAt.UTC()},
		Permissions: RolePermissions(p.User.Role)})
}
