package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/secretbox"
	"github.com/aigw/aigw/internal/sso"
	"github.com/aigw/aigw/internal/tenantdb"
)

// SSOOptions configures single sign-on (OIDC with PKCE, per tenant).
type SSOOptions struct {
	// PublicURL is the external URL of the gateway that proxies the admin
	// API (AIGW_PUBLIC_URL, such as https://aigw.bank.example). The callback
	// URL registered at identity providers is PublicURL +
	// /api/v1/admin/auth/sso/callback. Required for SSO sign-in outside
	// development, where the request's own host stands in.
	PublicURL string
	// Keyring seals client secrets (AIGW_ENCRYPTION_KEY). Without one, a
	// configuration with a client secret cannot be stored or used; public
	// clients (PKCE alone) still work.
	Keyring *secretbox.Keyring
	// States keeps sign-ins between their start and the callback: Redis
	// when REDIS_URL is set (any node finishes a flow any node started),
	// in process otherwise (the default).
	States sso.StateStore
	// AllowInsecureIssuers allows http:// issuers and identity providers on
	// loopback addresses (tests, labs). Always allowed in development.
	AllowInsecureIssuers bool
}

// Codes of the admin API's SSO answers beyond the sign-in refusal codes
// (internal/sso's Code constants).
const (
	CodeDiscoveryFailed       = "discovery_failed"
	CodeEncryptionUnavailable = "encryption_unavailable"
	CodeSSOUnavailable        = sso.CodeUnavailable
	CodeProviderUnreachable   = sso.CodeProviderUnreached
	CodeSSONotConfigured      = "sso_not_configured"
)

// Cookie and paths of the sign-in flow. The flow cookie binds a flow to the
// browser that started it; it is SameSite=Lax because the provider sends
// the browser back with a cross-site navigation, which Strict cookies miss.
const (
	SSOFlowCookie = "aigw_sso_flow"
	ssoPath       = Prefix + "/auth/sso"
	ssoCallback   = ssoPath + "/callback"
	// SSOErrorPage is where a refused sign-in lands, with ?sso_error=CODE.
	SSOErrorPage = "/login"
)

type ssoService struct {
	opts      SSOOptions
	policy    sso.FetchPolicy
	providers *sso.Providers
	states    sso.StateStore
	public    *url.URL
}

func newSSOService(cfg Config) (*ssoService, error) {
	o := cfg.SSO
	svc := &ssoService{opts: o, policy: sso.FetchPolicy{AllowInsecure: cfg.Development || o.AllowInsecureIssuers}, states: o.States}
	svc.providers = sso.NewProviders(svc.policy, 0, cfg.Now)
	if svc.states == nil {
		svc.states = sso.NewMemoryStates(0, cfg.Now)
	}
	if o.PublicURL != "" {
		u, err := url.Parse(strings.TrimSuffix(o.PublicURL, "/"))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("admin API: AIGW_PUBLIC_URL %q: want the gateway's external URL, such as https://aigw.bank.example", o.PublicURL)
		}
		if u.Scheme == "http" && !cfg.Development && !o.AllowInsecureIssuers {
			return nil, fmt.Errorf("admin API: AIGW_PUBLIC_URL %q: sign-in callbacks need https outside development", o.PublicURL)
		}
		svc.public = u
	}
	return svc, nil
}

// redirectURI is the callback URL identity providers send browsers to,
// or "" when it cannot be known (no PublicURL outside development).
func (s *Server) redirectURI(r *http.Request) string {
	if u := s.sso.public; u != nil {
		return u.String() + ssoCallback
	}
	if !s.cfg.Development {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + ssoCallback
}

var errNoPublicURL = apierr.New(http.StatusServiceUnavailable, CodeSSOUnavailable,
	"single sign-on needs the server's public URL: an operator must set AIGW_PUBLIC_URL")

var errNoKeyring = apierr.New(http.StatusServiceUnavailable, CodeEncryptionUnavailable,
	"client secrets are encrypted with AIGW_ENCRYPTION_KEY, which this server does not have: an operator must set it (or use a public client with PKCE and no secret)")

// secretAAD binds a sealed client secret to its tenant's configuration.
func secretAAD(tenantID string) string { return tenantdb.SSOSecretAAD(tenantID) }

// sealSecret seals a client secret for tenantID.
func (s *Server) sealSecret(tenantID, secret string) (*secretbox.Sealed, error) {
	if s.sso.opts.Keyring == nil {
		return nil, errNoKeyring
	}
	sealed, err := s.sso.opts.Keyring.Seal([]byte(secret), secretAAD(tenantID))
	if err != nil {
		return nil, err
	}
	return &sealed, nil
}

// openSecret returns the configuration's client secret, "" for none.
func (s *Server) openSecret(c *tenantdb.SSOConfig) (string, error) {
	if c.ClientSecret == nil {
		return "", nil
	}
	if s.sso.opts.Keyring == nil {
		return "", fmt.Errorf("opening tenant %s's SSO client secret: %w", c.TenantID, errNoKeyring)
	}
	b, err := s.sso.opts.Keyring.Open(*c.ClientSecret, secretAAD(c.TenantID))
	if err != nil {
		return "", fmt.Errorf("opening tenant %s's SSO client secret: %w", c.TenantID, err)
	}
	return string(b), nil
}

// relyingParty is the tenant's client of its provider, discovered (or
// cached) through the fetch policy.
func (s *Server) relyingParty(ctx context.Context, c *tenantdb.SSOConfig, redirect string) (*sso.RelyingParty, error) {
	secret, err := s.openSecret(c)
	if err != nil {
		return nil, err
	}
	p, err := s.sso.providers.Get(ctx, c.IssuerURL)
	if err != nil {
		return nil, sso.Refuse(sso.CodeProviderUnreached, err)
	}
	return &sso.RelyingParty{Provider: p, ClientID: c.ClientID, ClientSecret: secret, RedirectURL: redirect,
		Scopes: c.Scopes, RoleClaim: c.RoleClaim, Now: s.now}, nil
}

// discoveryError is the admin's answer for a refused discovery.
func discoveryError(err error) error {
	var de *sso.DiscoveryError
	if errors.As(err, &de) {
		return unprocessableCode(CodeDiscoveryFailed, "issuer", "discovery failed: %s", de.Reason)
	}
	return err
}

func unprocessableCode(code, field, format string, args ...any) *apierr.Error {
	e := unprocessable(field, format, args...)
	e.Code = code
	return e
}
