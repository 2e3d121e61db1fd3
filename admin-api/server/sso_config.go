package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/sso"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/sso/config", Perm: PermSSORead, Handle: getSSOConfig,
			Doc: Doc{Tag: "sso", Summary: "The tenant's single sign-on configuration",
				Description: "Always 200: with configured=false the fields hold the defaults a new configuration gets, and redirect_uri is the callback URL to register at the identity provider. The client secret is never returned, only client_secret_set.",
				Response:    SSOConfig{}}},
		Route{Method: "POST", Path: "/sso/config", Perm: PermSSOWrite, Handle: createSSOConfig,
			Doc: Doc{Tag: "sso", Summary: "Create the tenant's single sign-on configuration",
				Description: ssoWriteDoc, Request: ssoConfigRequest{}, Response: SSOConfig{}, Status: http.StatusCreated,
				Errors: []int{409, 422, 503}}},
		Route{Method: "PUT", Path: "/sso/config", Perm: PermSSOWrite, Handle: updateSSOConfig,
			Doc: Doc{Tag: "sso", Summary: "Replace the tenant's single sign-on configuration",
				Description: ssoWriteDoc + " Omitted fields take their defaults, except client_secret: omitted keeps the stored secret, \"\" removes it.",
				Request:     ssoConfigRequest{}, Response: SSOConfig{}, Errors: []int{404, 422, 503}}},
		Route{Method: "POST", Path: "/sso/discover", Perm: PermSSOWrite, Handle: discoverSSO,
			Doc: Doc{Tag: "sso", Summary: "Fetch and check an identity provider's discovery document",
				Description: "Fetches <issuer>/.well-known/openid-configuration (https only outside development; never loopback or link-local addresses; 10 s, 1 MiB) and checks it: the issuer it names is exactly the one given, the authorization, token and JWKS endpoints are there, \"code\" is a response type, S256 is among the PKCE methods when any are listed. 422 discovery_failed says which check failed.",
				Request:     ssoDiscoverRequest{}, Response: SSODiscovery{}, Errors: []int{422}}},
	)
}

const ssoWriteDoc = "An enabled configuration is checked against the issuer's discovery document first (422 discovery_failed). " +
	"The client secret is encrypted at rest with AIGW_ENCRYPTION_KEY (503 encryption_unavailable when the server has none). " +
	"sso_only (password sign-in refused for the tenant's users) may be on only when the caller signed in through this very configuration (same issuer and client id), so a broken configuration cannot lock the tenant out (422)."

// SSOConfig is a tenant's single sign-on configuration as the admin API
// shows it.
type SSOConfig struct {
	Configured      bool              `json:"configured" doc:"false: no configuration yet; the fields are the defaults"`
	ID              string            `json:"id,omitempty" format:"uuid"`
	DisplayName     string            `json:"display_name" doc:"the sign-in button's label"`
	Issuer          string            `json:"issuer" doc:"the identity provider's issuer URL, exactly as its tokens name it"`
	ClientID        string            `json:"client_id"`
	ClientSecretSet bool              `json:"client_secret_set" doc:"a client secret is stored (never returned); false: a public client with PKCE alone"`
	Scopes          []string          `json:"scopes"`
	AllowedDomains  []string          `json:"allowed_domains" doc:"e-mail domains that may sign in; empty: any"`
	RoleClaim       string            `json:"role_claim" doc:"the ID token claim with the user's groups: a name (groups, roles) or a dotted path (realm_access.roles)"`
	RoleMapping     map[string]string `json:"role_mapping" doc:"group (as the provider names it) to role: admin, manager, user or viewer; the most powerful match wins"`
	DefaultRole     string            `json:"default_role" enum:"admin,manager,user,viewer" doc:"the role when no mapped group matches"`
	SyncRole        bool              `json:"sync_role" doc:"when role_mapping has entries, every sign-in sets the role from the groups (the tenant's last active admin is never demoted); else only new users get it"`
	Enabled         bool              `json:"enabled"`
	SSOOnly         bool              `json:"sso_only" doc:"password sign-in is refused to the tenant's users"`
	RedirectURI     string            `json:"redirect_uri" doc:"the callback URL to register at the identity provider; empty when the server has no AIGW_PUBLIC_URL"`
	CreatedAt       *time.Time        `json:"created_at"`
	UpdatedAt       *time.Time        `json:"updated_at"`
}

// defaultSSO is the configuration a tenant starts from.
func defaultSSO() tenantdb.SSOConfig {
	return tenantdb.SSOConfig{Scopes: []string{"openid", "email", "profile"}, RoleClaim: "groups", RoleMapping: map[string]string{},
		DefaultRole: store.RoleViewer, SyncRole: true, AllowedDomains: []string{}}
}

func ssoView(c *tenantdb.SSOConfig, configured bool, redirect string) SSOConfig {
	v := SSOConfig{Configured: configured, ID: c.ID, DisplayName: c.DisplayName, Issuer: c.IssuerURL, ClientID: c.ClientID,
		ClientSecretSet: c.ClientSecret != nil, Scopes: c.Scopes, AllowedDomains: c.AllowedDomains, RoleClaim: c.RoleClaim,
		RoleMapping: c.RoleMapping, DefaultRole: c.DefaultRole, SyncRole: c.SyncRole, Enabled: c.Enabled, SSOOnly: c.SSOOnly,
		RedirectURI: redirect, CreatedAt: timeOrNil(c.CreatedAt), UpdatedAt: timeOrNil(c.UpdatedAt)}
	return v
}

type ssoConfigRequest struct {
	DisplayName    string            `json:"display_name,omitempty" doc:"the sign-in button's label, at most 100 characters"`
	Issuer         string            `json:"issuer" required:"true" doc:"https URL; must equal the issuer the discovery document and tokens name"`
	ClientID       string            `json:"client_id" required:"true"`
	ClientSecret   *string           `json:"client_secret,omitempty" doc:"write-only, at most 1024 bytes. POST: omit or \"\" for a public client. PUT: omit to keep the stored secret, \"\" to remove it"`
	Scopes         []string          `json:"scopes,omitempty" doc:"must include openid (default [openid, email, profile]); add groups when the provider needs it for the group claim"`
	AllowedDomains []string          `json:"allowed_domains,omitempty" doc:"e-mail domains that may sign in, such as bank.example (default: any)"`
	RoleClaim      string            `json:"role_claim,omitempty" doc:"default groups"`
	RoleMapping    map[string]string `json:"role_mapping,omitempty" doc:"group to role (admin, manager, user, viewer); at most 100"`
	DefaultRole    string            `json:"default_role,omitempty" enum:"admin,manager,user,viewer" doc:"default viewer"`
	SyncRole       *bool             `json:"sync_role,omitempty" doc:"default true"`
	Enabled        *bool             `json:"enabled,omitempty" doc:"default true"`
	SSOOnly        *bool             `json:"sso_only,omitempty" doc:"default false"`
}

func (req *ssoConfigRequest) config(s *Server) (tenantdb.SSOConfig, error) {
	c := defaultSSO()
	iss, err := sso.CheckIssuerURL(req.Issuer, s.sso.policy)
	if err != nil {
		return c, badField("issuer", "%v", err)
	}
	c.IssuerURL, c.ClientID, c.DisplayName = iss, req.ClientID, req.DisplayName
	if req.Scopes != nil {
		c.Scopes = req.Scopes
	}
	if req.AllowedDomains != nil {
		c.AllowedDomains = req.AllowedDomains
	}
	if req.RoleClaim != "" {
		c.RoleClaim = req.RoleClaim
	}
	if req.RoleMapping != nil {
		c.RoleMapping = req.RoleMapping
	}
	if req.DefaultRole != "" {
		c.DefaultRole = req.DefaultRole
	}
	c.SyncRole, c.Enabled, c.SSOOnly = boolOr(req.SyncRole, true), boolOr(req.Enabled, true), boolOr(req.SSOOnly, false)
	if req.ClientSecret != nil && len(*req.ClientSecret) > 1024 {
		return c, badField("client_secret", "at most 1024 bytes")
	}
	return c, c.Validate()
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func getSSOConfig(c *Call) error {
	redirect := c.srv.redirectURI(c.R)
	cfg, err := c.Store().SSOConfig(c.R.Context())
	if errors.Is(err, store.ErrNotFound) {
		d := defaultSSO()
		return c.JSON(http.StatusOK, ssoView(&d, false, redirect))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ssoView(cfg, true, redirect))
}

func createSSOConfig(c *Call) error {
	var req ssoConfigRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	cfg, err := c.srv.ssoWrite(c, &req, nil)
	if err != nil {
		return err
	}
	if req.ClientSecret != nil && *req.ClientSecret != "" {
		if cfg.ClientSecret, err = c.srv.sealSecret(c.Principal.Tenant.ID, *req.ClientSecret); err != nil {
			return err
		}
	}
	out, err := c.Store().CreateSSOConfig(c.R.Context(), cfg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ssoView(out, true, c.srv.redirectURI(c.R)))
}

func updateSSOConfig(c *Call) error {
	var req ssoConfigRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	cur, err := c.Store().SSOConfig(c.R.Context())
	if errors.Is(err, store.ErrNotFound) {
		return apierr.New(http.StatusNotFound, CodeSSONotConfigured, "the tenant has no SSO configuration yet; create it with POST")
	} else if err != nil {
		return err
	}
	cfg, err := c.srv.ssoWrite(c, &req, cur)
	if err != nil {
		return err
	}
	setSecret := req.ClientSecret != nil
	if setSecret && *req.ClientSecret != "" {
		if cfg.ClientSecret, err = c.srv.sealSecret(c.Principal.Tenant.ID, *req.ClientSecret); err != nil {
			return err
		}
	}
	out, err := c.Store().UpdateSSOConfig(c.R.Context(), cfg, setSecret)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ssoView(out, true, c.srv.redirectURI(c.R)))
}

// ssoWrite checks a configuration to store over cur (nil for a new one):
// its fields, the SSO-only rule, and, when it is enabled, the issuer's
// discovery document.
func (s *Server) ssoWrite(c *Call, req *ssoConfigRequest, cur *tenantdb.SSOConfig) (tenantdb.SSOConfig, error) {
	cfg, err := req.config(s)
	if err != nil {
		return cfg, err
	}
	if cfg.SSOOnly {
		p := c.Principal
		proven := cur != nil && cur.Enabled && p.Method == tenantdb.SessionSSO && cur.IssuerURL == cfg.IssuerURL && cur.ClientID == cfg.ClientID
		if !proven {
			return cfg, unprocessable("sso_only", "turn SSO-only on after signing in through this configuration (same issuer and client id): a configuration that does not work would lock every user out")
		}
	}
	if cfg.Enabled {
		if _, err := s.sso.providers.Discover(c.R.Context(), cfg.IssuerURL); err != nil {
			return cfg, discoveryError(err)
		}
	}
	return cfg, nil
}

type ssoDiscoverRequest struct {
	Issuer string `json:"issuer" required:"true" doc:"the identity provider's issuer URL"`
}

// SSODiscovery is a checked discovery document.
type SSODiscovery struct {
	Issuer                           string   `json:"issuer"`
	AuthorizationEndpoint            string   `json:"authorization_endpoint"`
	TokenEndpoint                    string   `json:"token_endpoint"`
	JWKSURI                          string   `json:"jwks_uri"`
	UserinfoEndpoint                 string   `json:"userinfo_endpoint,omitempty"`
	EndSessionEndpoint               string   `json:"end_session_endpoint,omitempty"`
	ScopesSupported                  []string `json:"scopes_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
	CodeChallengeMethodsSupported    []string `json:"code_challenge_methods_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	PKCE                             string   `json:"pkce" enum:"supported,not_advertised" doc:"supported: S256 is listed; not_advertised: the document lists no PKCE methods (Entra ID), aigw sends S256 anyway"`
	Warnings                         []string `json:"warnings" doc:"what to know without it being an error"`
	RedirectURI                      string   `json:"redirect_uri" doc:"the callback URL to register at the identity provider"`
}

func discoverSSO(c *Call) error {
	var req ssoDiscoverRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	if req.Issuer == "" {
		return badField("issuer", "required")
	}
	p, err := c.srv.sso.providers.Discover(c.R.Context(), req.Issuer)
	ev := audit.Event{Action: "sso.discover", ResourceType: "sso_config", Details: map[string]any{"issuer": req.Issuer, "ok": err == nil}}
	if rerr := c.Store().Record(c.R.Context(), ev); rerr != nil {
		return rerr
	}
	if err != nil {
		return discoveryError(err)
	}
	d := p.Discovery
	warnings := d.Warnings()
	if warnings == nil {
		warnings = []string{}
	}
	return c.JSON(http.StatusOK, SSODiscovery{Issuer: d.Issuer, AuthorizationEndpoint: d.AuthorizationEndpoint,
		TokenEndpoint: d.TokenEndpoint, JWKSURI: d.JWKSURI, UserinfoEndpoint: d.UserinfoEndpoint,
		EndSessionEndpoint: d.EndSessionEndpoint, ScopesSupported: orEmpty(d.ScopesSupported),
		ClaimsSupported: orEmpty(d.ClaimsSupported), CodeChallengeMethodsSupported: orEmpty(d.CodeChallengeMethodsSupported),
		IDTokenSigningAlgValuesSupported: orEmpty(d.IDTokenSigningAlgValuesSupported), PKCE: d.PKCE(),
		Warnings: warnings, RedirectURI: c.srv.redirectURI(c.R)})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
