package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/sso/ssotest"
)

func TestSSOConfigIsCreatedReadAndReplacedWithTheSecretSealed(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	admin := a.Tokens["admin"]

	var empty SSOConfig
	se.do("GET", "/sso/config", admin, nil).want(http.StatusOK).decode(&empty)
	if empty.Configured || empty.RedirectURI != se.https.URL+ssoCallback || empty.DefaultRole != "viewer" ||
		strings.Join(empty.Scopes, " ") != "openid email profile" || empty.RoleClaim != "groups" || empty.CreatedAt != nil {
		t.Errorf("unconfigured %+v", empty)
	}
	created := se.configure(a, idpConfig(idp, "alpha.example"))
	if !created.Configured || !created.ClientSecretSet || !created.Enabled || created.SSOOnly || created.ClientID != idp.ClientID ||
		created.RoleMapping["aigw-admins"] != "admin" || created.DefaultRole != "user" || !created.SyncRole {
		t.Errorf("created %+v", created)
	}
	var raw []byte
	var keyID string
	se.pool.QueryRow(context.Background(), `SELECT client_secret_ciphertext, encryption_key_id FROM sso_configs WHERE tenant_id = $1`, a.ID).Scan(&raw, &keyID) //nolint:errcheck
	if strings.Contains(string(raw), idp.ClientSecret) || keyID != "test-key" || len(raw) != len(idp.ClientSecret)+16 {
		t.Errorf("stored secret %q under key %q", raw, keyID)
	}
	for _, r := range []*response{se.do("GET", "/sso/config", admin, nil), se.do("POST", "/sso/config", admin, idpConfig(idp, "alpha.example"))} {
		if strings.Contains(string(r.Body), idp.ClientSecret) {
			t.Errorf("an answer holds the client secret: %s", r.Body)
		}
	}
	se.do("POST", "/sso/config", admin, idpConfig(idp, "alpha.example")).want(http.StatusConflict)

	// PUT without client_secret keeps it; with "" removes it.
	put := idpConfig(idp, "alpha.example")
	delete(put, "client_secret")
	put["display_name"] = "Alpha Okta"
	var kept SSOConfig
	se.do("PUT", "/sso/config", admin, put).want(http.StatusOK).decode(&kept)
	if !kept.ClientSecretSet || kept.DisplayName != "Alpha Okta" || kept.ID != created.ID {
		t.Errorf("after PUT without a secret: %+v", kept)
	}
	put["client_secret"] = ""
	var public SSOConfig
	se.do("PUT", "/sso/config", admin, put).want(http.StatusOK).decode(&public)
	if public.ClientSecretSet {
		t.Error("PUT client_secret \"\" kept the secret")
	}
	if n := se.auditCount(a.ID, "sso.config_create") + se.auditCount(a.ID, "sso.config_update"); n != 3 {
		t.Errorf("%d configuration events, want 3", n)
	}
	var leaked int
	se.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE details::text LIKE '%' || $1 || '%'`, idp.ClientSecret).Scan(&leaked) //nolint:errcheck
	if leaked != 0 {
		t.Error("the audit trail holds the client secret")
	}
}

func TestSSOConfigIsForAdminsOfTheirOwnTenantOnly(t *testing.T) {
	se := newSSOEnv(t)
	a, b := se.addTenant("alpha"), se.addTenant("beta")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	for _, role := range []string{"manager", "user", "viewer"} {
		se.do("GET", "/sso/config", a.Tokens[role], nil).want(http.StatusForbidden)
		se.do("PUT", "/sso/config", a.Tokens[role], idpConfig(idp, "alpha.example")).want(http.StatusForbidden)
		se.do("POST", "/sso/discover", a.Tokens[role], map[string]any{"issuer": idp.Issuer()}).want(http.StatusForbidden)
	}
	// Beta's admin sees beta's (absent) configuration, never alpha's.
	var other SSOConfig
	se.do("GET", "/sso/config", b.Tokens["admin"], nil).want(http.StatusOK).decode(&other)
	if other.Configured || other.ClientID != "" {
		t.Errorf("beta sees %+v", other)
	}
	se.do("PUT", "/sso/config", b.Tokens["admin"], idpConfig(idp, "beta.example")).want(http.StatusNotFound)
}

func TestSSOConfigRefusesBadInputNamingTheField(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	for _, tc := range []struct {
		edit   func(m map[string]any)
		status int
		param  string
		code   string
	}{
		{func(m map[string]any) { m["issuer"] = "ftp://idp.example" }, 400, "issuer", CodeInvalidField},
		{func(m map[string]any) { m["issuer"] = idp.Issuer() + "/nope" }, 422, "issuer", CodeDiscoveryFailed},
		{func(m map[string]any) { m["client_id"] = "" }, 400, "client_id", CodeInvalidField},
		{func(m map[string]any) { m["client_secret"] = strings.Repeat("s", 1025) }, 400, "client_secret", CodeInvalidField},
		{func(m map[string]any) { m["scopes"] = []string{"email"} }, 400, "scopes", CodeInvalidField},
		{func(m map[string]any) { m["allowed_domains"] = []string{"not a domain"} }, 400, "allowed_domains", CodeInvalidField},
		{func(m map[string]any) { m["role_mapping"] = map[string]string{"g": "root"} }, 400, "role_mapping", CodeInvalidField},
		{func(m map[string]any) { m["default_role"] = "owner" }, 400, "default_role", CodeInvalidField},
		{func(m map[string]any) { m["sso_only"] = true }, 422, "sso_only", CodeUnprocessable},
		{func(m map[string]any) { m["enabled"] = false; m["sso_only"] = true }, 400, "sso_only", CodeInvalidField},
		{func(m map[string]any) { m["surprise"] = 1 }, 400, "surprise", CodeUnknownField},
		{func(m map[string]any) { m["enabled"] = "yes" }, 400, "enabled", CodeInvalidField},
	} {
		body := idpConfig(idp, "alpha.example")
		tc.edit(body)
		b := se.do("POST", "/sso/config", a.Tokens["admin"], body).want(tc.status).err()
		if b.Error.Param == nil || *b.Error.Param != tc.param || b.Error.Code == nil || *b.Error.Code != tc.code {
			t.Errorf("%v: param %v code %v: %s", body, b.Error.Param, b.Error.Code, b.Error.Message)
		}
	}
	// A disabled configuration is stored without asking the provider.
	body := idpConfig(idp, "alpha.example")
	body["issuer"], body["enabled"] = "https://idp.unreachable.example", false
	se.do("POST", "/sso/config", a.Tokens["admin"], body).want(http.StatusCreated)
}

func TestAClientSecretNeedsTheEncryptionKey(t *testing.T) {
	se := newSSOEnv(t, func(c *Config) { c.SSO.Keyring = nil })
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	b := se.do("POST", "/sso/config", a.Tokens["admin"], idpConfig(idp, "alpha.example")).want(http.StatusServiceUnavailable).err()
	if *b.Error.Code != CodeEncryptionUnavailable || !strings.Contains(b.Error.Message, "AIGW_ENCRYPTION_KEY") {
		t.Errorf("%+v", b.Error)
	}
	// A public client (PKCE, no secret) needs no key.
	public := idpConfig(idp, "alpha.example")
	delete(public, "client_secret")
	se.do("POST", "/sso/config", a.Tokens["admin"], public).want(http.StatusCreated)
}

func TestDiscoverReportsEndpointsAndPKCE(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	var d SSODiscovery
	se.do("POST", "/sso/discover", a.Tokens["admin"], map[string]any{"issuer": idp.Issuer()}).want(http.StatusOK).decode(&d)
	if d.Issuer != idp.Issuer() || d.AuthorizationEndpoint != idp.AuthorizationEndpoint() || d.TokenEndpoint != idp.TokenEndpoint() ||
		d.JWKSURI != idp.JWKSEndpoint() || d.PKCE != "supported" || len(d.Warnings) != 0 || d.RedirectURI != se.https.URL+ssoCallback {
		t.Errorf("discovery %+v", d)
	}
	b := se.do("POST", "/sso/discover", a.Tokens["admin"], map[string]any{"issuer": idp.Issuer() + "x"}).want(http.StatusUnprocessableEntity).err()
	if *b.Error.Code != CodeDiscoveryFailed || *b.Error.Param != "issuer" {
		t.Errorf("%+v", b.Error)
	}
	se.do("POST", "/sso/discover", a.Tokens["admin"], map[string]any{}).want(http.StatusBadRequest)
	if n := se.auditCount(a.ID, "sso.discover"); n != 2 {
		t.Errorf("%d sso.discover events, want 2", n)
	}
}

func TestDiscoverRefusesLoopbackOutsideDevelopment(t *testing.T) {
	se := newSSOEnv(t, func(c *Config) { c.SSO.AllowInsecureIssuers = false })
	a := se.addTenant("alpha")
	for _, iss := range []string{"http://idp.example", "https://127.0.0.1:2019", "https://169.254.169.254/latest", "https://localhost/x"} {
		b := se.do("POST", "/sso/discover", a.Tokens["admin"], map[string]any{"issuer": iss}).want(http.StatusUnprocessableEntity).err()
		if *b.Error.Code != CodeDiscoveryFailed {
			t.Errorf("%s: %+v", iss, b.Error)
		}
	}
}
