package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/sso"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/auth/sso/providers", Perm: PermPublic, Handle: ssoProviders,
			Doc: Doc{Tag: "auth", Summary: "Which single sign-on providers to offer",
				Description: "Give tenant (a slug) or email. By e-mail, the tenants whose allowed domains include the address's domain are listed (tenants that allow any domain are found by slug only); whether the address has an account is never told. An unknown tenant is an empty list.",
				Query:       ssoProvidersQuery{}, Response: SSOProviders{}}},
		Route{Method: "POST", Path: "/auth/sso/initiate", Perm: PermPublic, Handle: ssoInitiate,
			Doc: Doc{Tag: "auth", Summary: "Start a single sign-on: the identity provider's authorization URL",
				Description: "Answers the URL to send the browser to (with state, nonce and a PKCE S256 challenge) and sets the aigw_sso_flow cookie (HttpOnly, SameSite=Lax) that binds the sign-in to this browser. The sign-in must finish within 10 minutes. 404 sso_unavailable for a tenant without enabled SSO; 502 sso_provider_unreachable when the provider's discovery fails.",
				Request:     ssoInitiateRequest{}, Response: SSOInitiate{}, Errors: []int{404, 502, 503}}},
		Route{Method: "GET", Path: "/auth/sso/callback", Perm: PermPublic, Handle: ssoCallbackHandler,
			Doc: Doc{Tag: "auth", Summary: "The identity provider's redirect back (browsers only)",
				Description: "Always 303. Signed in: the session and CSRF cookies are set (as a password sign-in sets them) and Location is the return_to given at initiate (default /). Refused: Location is /login?sso_error=CODE[&next=RETURN_TO], CODE one of " + ssoCodeList() + "; every refusal is audited as security.sso_refused.",
				Query:       ssoCallbackQuery{}, Status: http.StatusSeeOther}},
	)
}

type ssoProvidersQuery struct {
	Tenant string `query:"tenant" doc:"the tenant's slug"`
	Email  string `query:"email" doc:"the user's e-mail address: its domain finds the tenants"`
}

// SSOProviders is the answer of GET /auth/sso/providers.
type SSOProviders struct {
	Providers []SSOProvider `json:"providers"`
}

// SSOProvider is one tenant's sign-in option.
type SSOProvider struct {
	Tenant      SSOTenant `json:"tenant"`
	DisplayName string    `json:"display_name" doc:"the button's label (may be empty: say \"Single sign-on\")"`
	SSOOnly     bool      `json:"sso_only" doc:"the tenant refuses password sign-in: offer SSO alone"`
}

// SSOTenant names a tenant on the sign-in page.
type SSOTenant struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func ssoProviders(c *Call) error {
	var q ssoProvidersQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	if (q.Tenant == "") == (q.Email == "") {
		return badField("tenant", "give tenant or email, not both")
	}
	domain := ""
	if q.Email != "" {
		if domain = sso.EmailDomain(q.Email); domain == "" || len(q.Email) > 254 {
			return badField("email", "want an e-mail address such as jane@bank.example")
		}
	}
	ps, err := c.srv.accounts.SSOProviders(c.R.Context(), q.Tenant, domain)
	if err != nil {
		return err
	}
	out := SSOProviders{Providers: []SSOProvider{}}
	for _, p := range ps {
		out.Providers = append(out.Providers, SSOProvider{Tenant: SSOTenant{Slug: p.TenantSlug, Name: p.TenantName},
			DisplayName: p.DisplayName, SSOOnly: p.SSOOnly})
	}
	return c.JSON(http.StatusOK, out)
}

type ssoInitiateRequest struct {
	Tenant    string `json:"tenant" required:"true" doc:"the tenant's slug"`
	ReturnTo  string `json:"return_to,omitempty" doc:"a dashboard path to land on once signed in, such as /keys (default /); never another site"`
	LoginHint string `json:"login_hint,omitempty" doc:"the e-mail the user typed, passed to the provider as login_hint"`
}

// SSOInitiate is the answer of POST /auth/sso/initiate.
type SSOInitiate struct {
	AuthorizationURL string    `json:"authorization_url" doc:"send the browser here (a top-level navigation)"`
	ExpiresAt        time.Time `json:"expires_at" doc:"the sign-in must finish before this time"`
}

var errSSOUnavailable = apierr.New(http.StatusNotFound, CodeSSOUnavailable, "single sign-on is not available for this organisation")

func ssoInitiate(c *Call) error {
	s, ctx := c.srv, c.R.Context()
	var req ssoInitiateRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	returnTo, err := safeReturnTo(req.ReturnTo)
	if err != nil {
		return err
	}
	if len(req.LoginHint) > 254 || strings.ContainsFunc(req.LoginHint, func(r rune) bool { return r < 0x20 }) {
		return badField("login_hint", "at most 254 characters")
	}
	redirect := s.redirectURI(c.R)
	if redirect == "" {
		return errNoPublicURL
	}
	tn, cfg, err := s.accounts.TenantSSO(ctx, req.Tenant, "")
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!cfg.Enabled || tn.Status != tenantdb.StatusActive)) {
		return errSSOUnavailable
	} else if err != nil {
		return err
	}
	rp, err := s.relyingParty(ctx, cfg, redirect)
	if err != nil {
		return s.initiateError(err)
	}
	st := rp.Begin(tn.ID, returnTo, req.LoginHint, sso.StateTTL)
	if err := s.sso.states.Save(ctx, st.State, st.Flow); errors.Is(err, sso.ErrTooManyFlows) {
		return apierr.New(http.StatusServiceUnavailable, CodeSSOUnavailable, "too many sign-ins are in progress; try again in a minute")
	} else if err != nil {
		return err
	}
	http.SetCookie(c.W, &http.Cookie{Name: SSOFlowCookie, Value: st.Binding, Path: ssoPath, MaxAge: int(sso.StateTTL / time.Second),
		HttpOnly: true, Secure: s.secureCookies(c.R), SameSite: http.SameSiteLaxMode})
	return c.JSON(http.StatusOK, SSOInitiate{AuthorizationURL: st.AuthURL, ExpiresAt: st.Flow.ExpiresAt.UTC()})
}

func (s *Server) initiateError(err error) error {
	var r *sso.Refusal
	if errors.As(err, &r) && r.Code == sso.CodeProviderUnreached {
		s.logger.Warn("SSO provider discovery failed", zap.Error(err))
		return apierr.New(http.StatusBadGateway, CodeProviderUnreachable, "the identity provider could not be reached; try again later")
	}
	return err
}

func (s *Server) secureCookies(r *http.Request) bool { return !s.cfg.Development || r.TLS != nil }

// safeReturnTo accepts a local absolute path ("/keys?tab=mine"), nothing
// that a browser would read as another origin ("//evil", "/\evil",
// "https://evil", "javascript:").
func safeReturnTo(s string) (string, error) {
	if s == "" {
		return "/", nil
	}
	bad := badField("return_to", "want a path of this site such as /keys, at most 512 characters")
	if len(s) > 512 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') ||
		strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r == 0x7f || r == utf8.RuneError }) {
		return "", bad
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "", bad
	}
	return s, nil
}

type ssoCallbackQuery struct {
	Code  string `query:"code" doc:"the authorization code"`
	State string `query:"state" doc:"the flow's state"`
	Error string `query:"error" doc:"the provider's refusal (then no code)"`
	Iss   string `query:"iss" doc:"the provider's issuer (RFC 9207); when sent, it must be the flow's"`
}

// callbackParam reports whether a code or state is 1 to 4096 visible ASCII characters.
func callbackParam(s string) bool {
	return len(s) > 0 && len(s) <= 4096 && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e })
}

func ssoCallbackHandler(c *Call) error {
	s, q := c.srv, c.R.URL.Query()                     // providers add parameters of their own (session_state ...): read only ours
	c.W.Header().Set("Referrer-Policy", "no-referrer") // the URL holds the code
	flow, err := s.takeFlow(c, q.Get("state"))
	if err == nil {
		err = s.finishSSO(c, flow, q)
	}
	if flow != nil { // this flow is over; another flow's cookie (on another node) is left alone
		http.SetCookie(c.W, &http.Cookie{Name: SSOFlowCookie, Path: ssoPath, MaxAge: -1, HttpOnly: true,
			Secure: s.secureCookies(c.R), SameSite: http.SameSiteLaxMode})
	}
	if err != nil {
		return s.refuseSSO(c, flow, err)
	}
	http.Redirect(c.W, c.R, flow.ReturnTo, http.StatusSeeOther)
	return nil
}

// takeFlow takes the state's flow (single use) and checks its expiry and
// the browser's binding. The flow is returned with the refusal when known,
// so that the refusal is audited on its tenant's chain.
func (s *Server) takeFlow(c *Call, state string) (*sso.Flow, error) {
	if !callbackParam(state) {
		return nil, sso.Refuse(sso.CodeStateInvalid, errors.New("no or malformed state"))
	}
	flow, err := s.sso.states.Take(c.R.Context(), state)
	switch {
	case errors.Is(err, sso.ErrStateUnknown):
		return nil, sso.Refuse(sso.CodeStateInvalid, err)
	case errors.Is(err, sso.ErrStateUsed):
		return flow, sso.Refuse(sso.CodeStateUsed, err)
	case err != nil:
		return nil, sso.Refuse(sso.CodeServerError, err)
	case s.now().After(flow.ExpiresAt):
		return flow, sso.Refuse(sso.CodeStateExpired, errors.New("the flow expired"))
	}
	if ck, cerr := c.R.Cookie(SSOFlowCookie); cerr != nil || !flow.BindingMatches(ck.Value) {
		return flow, sso.Refuse(sso.CodeBrowserMismatch, errors.New("the flow cookie is missing or another flow's"))
	}
	return flow, nil
}

var idpErrorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// finishSSO completes a taken flow: the provider's answer, the code
// exchange and token checks, the e-mail checks, the user, the session.
func (s *Server) finishSSO(c *Call, flow *sso.Flow, q url.Values) error {
	ctx := c.R.Context()
	if e := q.Get("error"); e != "" {
		if !idpErrorCode.MatchString(e) {
			e = "malformed"
		}
		return sso.Refuse(sso.CodeIdPError, errors.New("the provider answered error="+e))
	}
	code := q.Get("code")
	if !callbackParam(code) {
		return sso.Refuse(sso.CodeStateInvalid, errors.New("no or malformed code"))
	}
	tn, cfg, err := s.accounts.TenantSSO(ctx, "", flow.TenantID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!cfg.Enabled || tn.Status != tenantdb.StatusActive)) {
		return sso.Refuse(sso.CodeUnavailable, errors.New("SSO is off or the tenant suspended"))
	} else if err != nil {
		return sso.Refuse(sso.CodeServerError, err)
	}
	if cfg.IssuerURL != flow.Issuer || cfg.ClientID != flow.ClientID {
		return sso.Refuse(sso.CodeConfigChanged, errors.New("issuer or client id changed since the flow began"))
	}
	if iss := q.Get("iss"); iss != "" && iss != flow.Issuer {
		return sso.Refuse(sso.CodeWrongIssuer, errors.New("the iss parameter names another issuer (mix-up)"))
	}
	rp, err := s.relyingParty(ctx, cfg, s.redirectURI(c.R))
	if err != nil {
		return asRefusal(err)
	}
	id, err := rp.Finish(ctx, flow, code)
	if err != nil {
		return err
	}
	return s.ssoSession(c, flow, cfg, id)
}

// ssoSession checks the identity's e-mail, finds or creates the user and
// opens the session exactly as a password sign-in does.
func (s *Server) ssoSession(c *Call, flow *sso.Flow, cfg *tenantdb.SSOConfig, id *sso.Identity) error {
	ctx := c.R.Context()
	switch {
	case tenantdb.CheckEmail(id.Email) != nil:
		return sso.Refuse(sso.CodeEmailMissing, errors.New("no plain e-mail claim"))
	case !id.EmailVerified:
		return sso.Refuse(sso.CodeEmailUnverified, errors.New("email_verified is not true"))
	case !sso.DomainAllowed(id.Email, cfg.AllowedDomains):
		return sso.Refuse(sso.CodeDomainNotAllowed, errors.New("domain "+sso.EmailDomain(id.Email)+" is not allowed"))
	}
	role, _ := sso.MapRole(id.Groups, cfg.RoleMapping, cfg.DefaultRole)
	actor := tenantdb.Actor{ClientIP: s.clientIP(c.R), RequestID: requestID(ctx)}
	res, err := tenantdb.New(s.store, flow.TenantID, actor).SSOSignIn(ctx, tenantdb.SSOIdentity{Issuer: id.Issuer,
		Subject: id.Subject, Email: id.Email, Name: id.Name, Role: role, SyncRole: cfg.SyncRole && len(cfg.RoleMapping) > 0,
		Groups: len(id.Groups)})
	switch {
	case errors.Is(err, tenantdb.ErrSSOSuspended):
		return sso.Refuse(sso.CodeUserSuspended, err)
	case errors.Is(err, tenantdb.ErrSSOConflict):
		return sso.Refuse(sso.CodeAccountConflict, err)
	case err != nil:
		return asRefusal(err)
	}
	if _, err := s.IssueSession(ctx, c.W, c.R, flow.TenantID, res.User.ID, tenantdb.SessionSSO); err != nil {
		return asRefusal(err)
	}
	return nil
}

// asRefusal makes any other failure a server-side refusal.
func asRefusal(err error) error {
	var r *sso.Refusal
	if errors.As(err, &r) {
		return err
	}
	return sso.Refuse(sso.CodeServerError, err)
}

// refuseSSO audits a refused sign-in as security.sso_refused (on the
// flow's tenant's chain when the flow is known) and sends the browser to
// the sign-in page with the refusal's code.
func (s *Server) refuseSSO(c *Call, flow *sso.Flow, err error) error {
	var r *sso.Refusal
	if !errors.As(err, &r) {
		r = sso.Refuse(sso.CodeServerError, err)
	}
	ctx := context.WithoutCancel(c.R.Context())
	level := s.logger.Warn
	if r.Code == sso.CodeServerError {
		level = s.logger.Error
	}
	level("SSO sign-in refused", zap.String("code", r.Code), zap.String("request_id", requestID(ctx)), zap.Error(r.Err))
	ev := audit.Event{Action: "security.sso_refused", ActorType: audit.ActorSystem, ActorID: "aigw-admin",
		ResourceType: "session", Outcome: audit.OutcomeDenied, Severity: audit.SeverityWarning,
		ClientIP: s.clientIP(c.R), RequestID: requestID(ctx), Details: map[string]any{"reason": r.Code}}
	next := ""
	if flow != nil {
		ev.TenantID, next = flow.TenantID, flow.ReturnTo
		ev.Details["issuer"] = flow.Issuer
	}
	if aerr := audit.NewStore(s.store.Pool()).Append(ctx, ev); aerr != nil {
		s.logger.Error("auditing a refused SSO sign-in", zap.Error(aerr))
	}
	loc := SSOErrorPage + "?sso_error=" + url.QueryEscape(r.Code)
	if next != "" && next != "/" {
		loc += "&next=" + url.QueryEscape(next)
	}
	http.Redirect(c.W, c.R, loc, http.StatusSeeOther)
	return nil
}

func ssoCodeList() string {
	codes := []string{sso.CodeStateInvalid, sso.CodeStateUsed, sso.CodeStateExpired, sso.CodeBrowserMismatch, sso.CodeIdPError,
		sso.CodeExchangeFailed, sso.CodeTokenInvalid, sso.CodeWrongIssuer, sso.CodeWrongAudience, sso.CodeTokenExpired,
		sso.CodeNonceMismatch, sso.CodeEmailMissing, sso.CodeEmailUnverified, sso.CodeDomainNotAllowed, sso.CodeUnavailable,
		sso.CodeUserSuspended, sso.CodeAccountConflict, sso.CodeConfigChanged, sso.CodeProviderUnreached, sso.CodeServerError}
	var b strings.Builder
	for i, code := range codes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(code + " (\"" + sso.Messages[code] + "\")")
	}
	return b.String()
}

// CodeSSORequired refuses a password sign-in to a tenant that requires SSO.
const CodeSSORequired = "sso_required"

var errSSORequired = apierr.New(http.StatusForbidden, CodeSSORequired,
	"your organisation signs in through single sign-on: use \"Sign in with SSO\"")

// refuseSSOOnly refuses a password sign-in (whose password was right) to a
// user of a tenant that requires SSO, and audits it. It runs after the
// password check, so it tells nothing to someone without the password.
func (s *Server) refuseSSOOnly(c *Call, cr tenantdb.Credential) error {
	ctx := c.R.Context()
	refused, err := s.accounts.PasswordRefused(ctx, cr.TenantID)
	if err != nil || !refused {
		return err
	}
	ev := audit.Event{Action: "auth.login", Outcome: audit.OutcomeDenied, Severity: audit.SeverityWarning,
		ResourceType: "user", ResourceID: cr.UserID, Details: map[string]any{"method": tenantdb.SessionPassword, "reason": "sso_only"}}
	scope := tenantdb.New(s.store, cr.TenantID, tenantdb.Actor{ClientIP: s.clientIP(c.R), RequestID: requestID(ctx)})
	if err := scope.Record(context.WithoutCancel(ctx), ev); err != nil {
		return err
	}
	return errSSORequired
}
