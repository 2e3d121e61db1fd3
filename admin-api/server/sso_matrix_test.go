package server

import (
	"context"
	"errors"
	"sync"

	"github.com/aigw/aigw/internal/sso/ssotest"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

// The SSO routes' cases for the walkers of every route (role × route,
// tenant isolation, the OpenAPI contract). Their servers run in
// development, so identity providers on loopback are allowed and, with no
// keyring, configurations are public clients.
func init() {
	routeCases["GET /sso/config"] = func(*matrixFixture, string) routeCase { return routeCase{path: "/sso/config", ok: 200} }
	routeCases["POST /sso/config"] = func(*matrixFixture, string) routeCase {
		return routeCase{path: "/sso/config", ok: 201, body: map[string]any{"issuer": "https://idp.bank.example", "client_id": "aigw", "enabled": false}}
	}
	routeCases["PUT /sso/config"] = func(f *matrixFixture, _ string) routeCase {
		f.ssoConfig(false)
		return routeCase{path: "/sso/config", ok: 200, body: map[string]any{"issuer": "https://idp.bank.example", "client_id": "aigw-2", "enabled": false}}
	}
	routeCases["POST /sso/discover"] = func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/sso/discover", ok: 200, body: map[string]any{"issuer": f.idp().Issuer()}}
	}
	routeCases["GET /auth/sso/providers"] = func(f *matrixFixture, _ string) routeCase {
		return routeCase{path: "/auth/sso/providers?tenant=" + f.t.Slug, ok: 200}
	}
	routeCases["POST /auth/sso/initiate"] = func(f *matrixFixture, _ string) routeCase {
		f.ssoConfig(true)
		return routeCase{path: "/auth/sso/initiate", ok: 200, body: map[string]any{"tenant": f.t.Slug}}
	}
	routeCases["GET /auth/sso/callback"] = func(*matrixFixture, string) routeCase {
		return routeCase{path: "/auth/sso/callback?state=unknown&code=x", ok: 303} // to the sign-in page
	}
}

var fixtureIdPs sync.Map // *matrixFixture → *ssotest.IdP

// idp is the fixture's identity provider, started on first use.
func (f *matrixFixture) idp() *ssotest.IdP {
	if p, ok := fixtureIdPs.Load(f); ok {
		return p.(*ssotest.IdP)
	}
	p := ssotest.Start(f.e.t, ssotest.Key(f.e.t, 0))
	f.e.t.Cleanup(func() { fixtureIdPs.Delete(f) })
	fixtureIdPs.Store(f, p)
	return p
}

// ssoConfig gives the fixture's tenant an SSO configuration (enabled: on
// the fixture's identity provider).
func (f *matrixFixture) ssoConfig(enabled bool) {
	ctx := context.Background()
	c := tenantdb.SSOConfig{IssuerURL: "https://idp.bank.example", ClientID: "aigw", Scopes: []string{"openid", "email"},
		RoleClaim: "groups", RoleMapping: map[string]string{}, DefaultRole: "viewer", AllowedDomains: []string{}, Enabled: enabled}
	if enabled {
		c.IssuerURL, c.ClientID = f.idp().Issuer(), f.idp().ClientID
	}
	db := f.db()
	_, err := db.SSOConfig(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		_, err = db.CreateSSOConfig(ctx, c)
	case err == nil:
		_, err = db.UpdateSSOConfig(ctx, c, true)
	}
	if err != nil {
		f.e.t.Fatal(err)
	}
}
