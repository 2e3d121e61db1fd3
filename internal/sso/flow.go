package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Provider is a discovered identity provider. Its key set is fetched when
// first needed and fetched again whenever a token names a key it does not
// hold, so the provider's key rotation needs nothing from aigw.
type Provider struct {
	// Discovery is the provider's checked discovery document.
	Discovery *Discovery
	oidc      *oidc.Provider
	client    *http.Client
}

// NewProvider returns the provider d describes, reached through client.
func NewProvider(d *Discovery, client *http.Client) *Provider {
	var algs []string
	for _, a := range d.IDTokenSigningAlgValuesSupported {
		if slices.Contains(oidcAlgs, a) {
			algs = append(algs, a)
		}
	}
	cfg := oidc.ProviderConfig{IssuerURL: d.Issuer, AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint,
		JWKSURL: d.JWKSURI, UserInfoURL: d.UserinfoEndpoint, Algorithms: algs}
	return &Provider{Discovery: d, oidc: cfg.NewProvider(oidc.ClientContext(context.Background(), client)), client: client}
}

// RelyingParty is one tenant's client of a provider.
type RelyingParty struct {
	// Provider is the tenant's identity provider.
	Provider *Provider
	// ClientID and ClientSecret are the credentials registered at the
	// provider; ClientSecret is empty for a public client (PKCE alone).
	ClientID, ClientSecret string
	// RedirectURL is the callback registered at the provider.
	RedirectURL string
	// Scopes are requested at sign-in; "openid" is always among them.
	Scopes []string
	// RoleClaim names the claim holding the user's groups (see ClaimValues).
	RoleClaim string
	// Now is the clock ID tokens' expiry is checked against (default time.Now).
	Now func() time.Time
}

func (rp *RelyingParty) oauth2() *oauth2.Config {
	scopes := rp.Scopes
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	return &oauth2.Config{ClientID: rp.ClientID, ClientSecret: rp.ClientSecret, Endpoint: rp.Provider.oidc.Endpoint(),
		RedirectURL: rp.RedirectURL, Scopes: scopes}
}

// Flow is a sign-in between its start and the provider's callback: what
// the server keeps (StateStore) under the flow's state.
type Flow struct {
	// TenantID is the tenant signing in.
	TenantID string `json:"tenant_id"`
	// Issuer and ClientID are the configuration the flow started with; a
	// callback under another configuration is refused.
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	// Nonce must come back in the ID token.
	Nonce string `json:"nonce"`
	// Verifier is the PKCE code verifier whose S256 challenge went to the provider.
	Verifier string `json:"verifier"`
	// Binding is the SHA-256 (hex) of the value the starting browser holds
	// in a cookie: the callback must come from that browser.
	Binding string `json:"binding"`
	// ReturnTo is the dashboard path to land on (a safe relative path).
	ReturnTo string `json:"return_to"`
	// ExpiresAt ends the flow.
	ExpiresAt time.Time `json:"expires_at"`
}

// Start is a flow just begun.
type Start struct {
	// AuthURL is where to send the browser.
	AuthURL string
	// State names the flow; it is in AuthURL.
	State string
	// Binding is the value for the starting browser's cookie.
	Binding string
	// Flow is what to keep under State.
	Flow Flow
}

// Begin starts a sign-in for tenantID: fresh state, nonce, PKCE verifier
// (its S256 challenge goes in the URL) and browser binding. loginHint, when
// set, is passed to the provider as login_hint.
func (rp *RelyingParty) Begin(tenantID, returnTo, loginHint string, ttl time.Duration) Start {
	state, nonce, binding := random(), random(), random()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return Start{
		AuthURL: rp.oauth2().AuthCodeURL(state, opts...), State: state, Binding: binding,
		Flow: Flow{TenantID: tenantID, Issuer: rp.Provider.Discovery.Issuer, ClientID: rp.ClientID, Nonce: nonce,
			Verifier: verifier, Binding: HashBinding(binding), ReturnTo: returnTo, ExpiresAt: rp.now().Add(ttl)},
	}
}

func (rp *RelyingParty) now() time.Time {
	if rp.Now != nil {
		return rp.Now()
	}
	return time.Now()
}

// HashBinding is the form of a browser binding that the server keeps.
func HashBinding(b string) string {
	sum := sha256.Sum256([]byte(b))
	return hex.EncodeToString(sum[:])
}

// BindingMatches reports in constant time whether the browser's cookie
// value is the flow's binding.
func (f *Flow) BindingMatches(cookie string) bool {
	return cookie != "" && subtle.ConstantTimeCompare([]byte(HashBinding(cookie)), []byte(f.Binding)) == 1
}

func random() string {
	var b [32]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Identity is who the provider vouched for.
type Identity struct {
	// Issuer and Subject identify the user at the provider.
	Issuer, Subject string
	// Email is the user's e-mail; EmailVerified says the provider verified it
	// (email_verified, or Entra ID's xms_edov).
	Email         string
	EmailVerified bool
	// Name is the display name (name, else preferred_username).
	Name string
	// Groups are the values of the role claim.
	Groups []string
}

// Finish completes flow with the provider's code: the code is exchanged
// with the PKCE verifier, and the ID token's signature (the provider's
// current keys), issuer, audience (and authorized party), expiry and nonce
// are checked. Refusals are *Refusal with the code that says why.
func (rp *RelyingParty) Finish(ctx context.Context, flow *Flow, code string) (*Identity, error) {
	ctx = oidc.ClientContext(ctx, rp.Provider.client)
	tok, err := rp.oauth2().Exchange(ctx, code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		return nil, refuse(CodeExchangeFailed, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, refuse(CodeTokenInvalid, errors.New("the token answer holds no id_token"))
	}
	v := rp.Provider.oidc.Verifier(&oidc.Config{ClientID: rp.ClientID, Now: rp.now})
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, rp.classify(raw, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 || flow.Nonce == "" {
		return nil, refuse(CodeNonceMismatch, errors.New("the ID token's nonce is not the flow's"))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, refuse(CodeTokenInvalid, err)
	}
	if azp, _ := claims["azp"].(string); len(idt.Audience) > 1 && azp != rp.ClientID {
		return nil, refuse(CodeWrongAudience, fmt.Errorf("several audiences and authorized party %q", azp))
	}
	return identityOf(idt, claims, rp.RoleClaim), nil
}

// classify names a verification failure. The decision was go-oidc's; the
// unverified payload only says which check to blame.
func (rp *RelyingParty) classify(raw string, err error) error {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return refuse(CodeTokenExpired, err)
	}
	var p struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if parts := strings.Split(raw, "."); len(parts) == 3 {
		if b, derr := base64.RawURLEncoding.DecodeString(parts[1]); derr == nil && json.Unmarshal(b, &p) == nil {
			if p.Iss != rp.Provider.Discovery.Issuer {
				return refuse(CodeWrongIssuer, err)
			}
			var one string
			var many []string
			if json.Unmarshal(p.Aud, &one) == nil {
				many = []string{one}
			} else {
				json.Unmarshal(p.Aud, &many) //nolint:errcheck // an unreadable aud is not ours
			}
			if !slices.Contains(many, rp.ClientID) {
				return refuse(CodeWrongAudience, err)
			}
		}
	}
	return refuse(CodeTokenInvalid, err)
}

func identityOf(idt *oidc.IDToken, claims map[string]any, roleClaim string) *Identity {
	id := &Identity{Issuer: idt.Issuer, Subject: idt.Subject, Groups: ClaimValues(claims, roleClaim)}
	id.Email, _ = claims["email"].(string)
	id.EmailVerified = truthy(claims["email_verified"]) || truthy(claims["xms_edov"])
	for _, k := range []string{"name", "preferred_username"} {
		if s, _ := claims[k].(string); strings.TrimSpace(s) != "" {
			id.Name = s
			break
		}
	}
	return id
}

// truthy reads a boolean claim that some providers send as a string.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}
