package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Discovery is an identity provider's discovery document
// (/.well-known/openid-configuration), as far as aigw uses it.
type Discovery struct {
	// Issuer is the provider's identifier; it equals the issuer URL asked for.
	Issuer string `json:"issuer"`
	// AuthorizationEndpoint is where the browser is sent to sign in.
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	// TokenEndpoint is where the server exchanges the code.
	TokenEndpoint string `json:"token_endpoint"`
	// JWKSURI serves the keys that sign ID tokens.
	JWKSURI string `json:"jwks_uri"`
	// UserinfoEndpoint is optional and unused by aigw.
	UserinfoEndpoint string `json:"userinfo_endpoint,omitempty"`
	// EndSessionEndpoint is optional (RP-initiated logout).
	EndSessionEndpoint string `json:"end_session_endpoint,omitempty"`
	// ScopesSupported lists the scopes the provider advertises.
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// ClaimsSupported lists the claims the provider advertises.
	ClaimsSupported []string `json:"claims_supported,omitempty"`
	// ResponseTypesSupported must include "code".
	ResponseTypesSupported []string `json:"response_types_supported,omitempty"`
	// CodeChallengeMethodsSupported lists the PKCE methods; when present it
	// must include S256.
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
	// IDTokenSigningAlgValuesSupported lists the ID token signature algorithms.
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported,omitempty"`
	// TokenEndpointAuthMethodsSupported lists how clients authenticate.
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
}

// PKCE support as a discovery document states it.
const (
	// PKCESupported: code_challenge_methods_supported includes S256.
	PKCESupported = "supported"
	// PKCENotAdvertised: the document does not say (Entra ID's does not,
	// though it supports S256). aigw sends a challenge all the same.
	PKCENotAdvertised = "not_advertised"
)

// PKCE says whether the provider advertises PKCE with S256.
func (d *Discovery) PKCE() string {
	if slices.Contains(d.CodeChallengeMethodsSupported, "S256") {
		return PKCESupported
	}
	return PKCENotAdvertised
}

// Warnings are what an administrator should know about the provider
// without it being refused.
func (d *Discovery) Warnings() []string {
	var out []string
	if d.PKCE() == PKCENotAdvertised {
		out = append(out, "the provider does not advertise PKCE (code_challenge_methods_supported); aigw sends an S256 challenge anyway, which providers that support PKCE check")
	}
	if len(d.ScopesSupported) > 0 && !slices.Contains(d.ScopesSupported, "email") {
		out = append(out, "the provider does not advertise the email scope; aigw needs a verified e-mail claim in the ID token")
	}
	return out
}

// oidcAlgs are the ID token algorithms go-oidc verifies.
var oidcAlgs = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}

// DiscoveryError says why a discovery document was refused. Its message is
// safe to show the administrator who asked: it names the check that failed,
// never the body of an answer.
type DiscoveryError struct {
	// Reason is the message.
	Reason string
	// Err is the underlying cause, if any, for the logs.
	Err error
}

func (e *DiscoveryError) Error() string { return e.Reason }

// Unwrap returns the cause.
func (e *DiscoveryError) Unwrap() error { return e.Err }

func discoveryErr(err error, format string, args ...any) *DiscoveryError {
	return &DiscoveryError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// Discover fetches issuer's discovery document with client and checks it:
// the issuer it names is exactly issuer, the authorization, token and JWKS
// endpoints are absolute URLs the policy allows, "code" is a response type,
// S256 is among the PKCE methods when any are listed, and some ID token
// algorithm is one aigw verifies. issuer must have passed CheckIssuerURL.
func Discover(ctx context.Context, client *http.Client, issuer string, p FetchPolicy) (*Discovery, error) {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
	if err != nil {
		return nil, discoveryErr(err, "the issuer URL does not make a discovery URL")
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, fetchError(err, wellKnown)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, discoveryErr(nil, "%s answered HTTP %d; want 200 with the discovery document", wellKnown, res.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != "" && mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, discoveryErr(nil, "%s answered %s, not JSON", wellKnown, mt)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fetchError(err, wellKnown)
	}
	var d Discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, discoveryErr(err, "%s is not a JSON discovery document", wellKnown)
	}
	if err := d.check(issuer, p); err != nil {
		return nil, err
	}
	return &d, nil
}

func fetchError(err error, where string) *DiscoveryError {
	var ue *url.Error
	switch {
	case errors.Is(err, ErrTooLarge):
		return discoveryErr(err, "%s answered more than the size allowed", where)
	case errors.Is(err, errForbiddenAddress):
		return discoveryErr(err, "%s resolves to a loopback, link-local or unspecified address, which is not allowed", where)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ue) && ue.Timeout()):
		return discoveryErr(err, "%s did not answer in time", where)
	}
	return discoveryErr(err, "%s could not be reached", where)
}

func (d *Discovery) check(issuer string, p FetchPolicy) error {
	if d.Issuer != issuer {
		return discoveryErr(nil, "the document names the issuer %q, not %q; issuers must match exactly (mind a trailing slash)", truncate(d.Issuer, 200), issuer)
	}
	for _, ep := range []struct{ name, v string }{
		{"authorization_endpoint", d.AuthorizationEndpoint},
		{"token_endpoint", d.TokenEndpoint},
		{"jwks_uri", d.JWKSURI},
	} {
		u, err := url.Parse(ep.v)
		if ep.v == "" || err != nil || !u.IsAbs() || u.Host == "" {
			return discoveryErr(err, "the document has no usable %s", ep.name)
		}
		if checkScheme(u, p) != nil {
			return discoveryErr(nil, "%s must use https", ep.name)
		}
	}
	if len(d.ResponseTypesSupported) > 0 && !slices.Contains(d.ResponseTypesSupported, "code") {
		return discoveryErr(nil, "the provider does not support the authorization code flow (response_types_supported lacks \"code\")")
	}
	if len(d.CodeChallengeMethodsSupported) > 0 && !slices.Contains(d.CodeChallengeMethodsSupported, "S256") {
		return discoveryErr(nil, "the provider does not support PKCE with S256 (code_challenge_methods_supported: %s)", strings.Join(d.CodeChallengeMethodsSupported, ", "))
	}
	if len(d.IDTokenSigningAlgValuesSupported) > 0 && !slices.ContainsFunc(d.IDTokenSigningAlgValuesSupported, func(a string) bool { return slices.Contains(oidcAlgs, a) }) {
		return discoveryErr(nil, "the provider signs ID tokens only with %s; aigw verifies %s", strings.Join(d.IDTokenSigningAlgValuesSupported, ", "), strings.Join(oidcAlgs, ", "))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
