package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/sso"
	"github.com/aigw/aigw/internal/sso/ssotest"
)

func TestSSOSignInCreatesTheUserWithTheMappedRoleAndOpensASession(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))

	idp.QueueUser(ssotest.Employee("jane-1", "jane@alpha.example", "staff", "aigw-managers"))
	b := se.browser()
	path, code := b.signIn("alpha", "/keys?tab=mine").landed()
	if path != "/keys" || code != "" {
		t.Fatalf("landed on %s (sso_error=%s)", path, code)
	}
	m, status := b.me()
	if status != http.StatusOK || m.User.Email != "jane@alpha.example" || m.User.Role != "manager" || !m.User.SSO ||
		m.User.HasPassword || m.Session.Method != "sso" || m.Tenant.Slug != "alpha" || m.User.Name != "Employee jane-1" {
		t.Fatalf("me = %+v (%d)", m, status)
	}
	for action, want := range map[string]int{"sso.login": 1, "user.create": 5, "auth.login": 5} { // 4 fixture users and sign-ins
		if n := se.auditCount(a.ID, action); n != want {
			t.Errorf("%d %s events, want %d", n, action, want)
		}
	}
	// The session is a cookie session like a password sign-in's: CSRF on unsafe methods.
	if r := b.post(Prefix+"/auth/logout", nil); r.Status != http.StatusForbidden {
		t.Errorf("logout without CSRF header: %d", r.Status)
	}

	// Later sign-ins find the user by subject; the role follows the groups.
	idp.QueueUser(ssotest.Employee("jane-1", "jane@alpha.example", "aigw-admins"))
	b2 := se.browser()
	if path, code := b2.signIn("alpha", "").landed(); path != "/" || code != "" {
		t.Fatalf("second sign-in landed on %s (%s)", path, code)
	}
	m2, _ := b2.me()
	if m2.User.ID != m.User.ID || m2.User.Role != "admin" {
		t.Errorf("second sign-in: %+v", m2.User)
	}
	if se.auditCount(a.ID, "user.create") != 5 || se.auditCount(a.ID, "user.update") != 1 || se.auditCount(a.ID, "sso.login") != 2 {
		t.Error("the second sign-in created a user or did not audit the role change")
	}
}

func TestSSOSignInLinksAnExistingUserByVerifiedEmail(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	idp.QueueUser(ssotest.Employee("u-viewer", "Viewer@Alpha.example")) // no mapped group: the default role, synced
	b := se.browser()
	if _, code := b.signIn("alpha", "").landed(); code != "" {
		t.Fatal(code)
	}
	m, _ := b.me()
	if m.User.ID != a.Users["viewer"].ID || m.User.Role != "user" || !m.User.SSO || !m.User.HasPassword {
		t.Errorf("linked %+v", m.User)
	}
	if se.auditCount(a.ID, "user.sso_link") != 1 {
		t.Error("the link is not audited")
	}
}

func TestSSOLandsOnlyOnPathsOfThisSite(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	b := se.browser()
	for _, bad := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "evil", "/ok\r\nSet-Cookie: x=y",
		"/" + strings.Repeat("a", 600)} {
		r := b.post(Prefix+"/auth/sso/initiate", map[string]any{"tenant": "alpha", "return_to": bad}).want(http.StatusBadRequest)
		if p := r.err().Error.Param; p == nil || *p != "return_to" {
			t.Errorf("%q: %s", bad, r.Body)
		}
	}
}

func TestTwoTenantsSignInThroughTheirOwnIssuers(t *testing.T) {
	se := newSSOEnv(t)
	a, bt := se.addTenant("alpha"), se.addTenant("beta")
	idpA, idpB := ssotest.Start(t, ssotest.Key(t, 0)), ssotest.Start(t, ssotest.Key(t, 1))
	se.configure(a, idpConfig(idpA, "alpha.example"))
	se.configure(bt, idpConfig(idpB, "beta.example"))

	// The same subject and e-mail at both providers are two users, one per tenant.
	idpA.QueueUser(ssotest.Employee("same-sub", "sam@alpha.example", "aigw-admins"))
	idpB.QueueUser(ssotest.Employee("same-sub", "sam@beta.example"))
	ba, bb := se.browser(), se.browser()
	if _, code := ba.signIn("alpha", "").landed(); code != "" {
		t.Fatal(code)
	}
	if _, code := bb.signIn("beta", "").landed(); code != "" {
		t.Fatal(code)
	}
	ma, _ := ba.me()
	mb, _ := bb.me()
	if ma.Tenant.Slug != "alpha" || ma.User.Role != "admin" || mb.Tenant.Slug != "beta" || mb.User.Role != "user" || ma.User.ID == mb.User.ID {
		t.Errorf("alpha %+v / beta %+v", ma.User, mb.User)
	}
	// Beta's provider vouching for an alpha address is refused by beta's allow-list.
	idpB.QueueUser(ssotest.Employee("x", "eve@alpha.example"))
	if _, code := se.browser().signIn("beta", "").landed(); code != "sso_domain_not_allowed" {
		t.Errorf("cross-domain: %s", code)
	}
	// Each admin session sees its own tenant's configuration only.
	var cfgA SSOConfig
	e := se.env
	e.do("GET", "/sso/config", bt.Tokens["admin"], nil).want(http.StatusOK).decode(&cfgA)
	if cfgA.Issuer != idpB.Issuer() {
		t.Errorf("beta's admin reads %s", cfgA.Issuer)
	}
}

func TestProviderKeyRotationMidwayKeepsSignInsWorking(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	idp.QueueUser(ssotest.Employee("r-1", "rita@alpha.example"))
	if _, code := se.browser().signIn("alpha", "").landed(); code != "" {
		t.Fatal(code)
	}
	before := idp.KeyID(t)
	idp.Rotate(t, ssotest.Key(t, 2))
	if idp.KeyID(t) == before {
		t.Fatal("the key did not change")
	}
	idp.QueueUser(ssotest.Employee("r-1", "rita@alpha.example"))
	b := se.browser()
	if _, code := b.signIn("alpha", "").landed(); code != "" {
		t.Fatalf("after the provider's key rotation: %s", code)
	}
	if _, status := b.me(); status != http.StatusOK {
		t.Error("no session after rotation")
	}
}

func TestRedisStatesLetAnotherNodeFinishTheSignIn(t *testing.T) {
	states := redisStates(t)
	se := newSSOEnv(t, func(c *Config) { c.SSO.States = states })
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	// Node two: same database, same Redis, same secrets; its own process.
	node2 := newNode(t, se, states)

	idp.QueueUser(ssotest.Employee("n-1", "nina@alpha.example"))
	b := se.browser()
	callback := b.atIdP(b.initiate(map[string]any{"tenant": "alpha", "return_to": "/usage"}))
	res := b.get(strings.Replace(callback, se.https.URL, node2.URL, 1)) // the balancer picks node two
	if path, code := res.landed(); path != "/usage" || code != "" {
		t.Fatalf("node two: %s %s", path, code)
	}
	if m, status := b.me(); status != http.StatusOK || m.Session.Method != "sso" {
		t.Fatalf("no session after node two finished: %d", status)
	}
	// Once is all: node one refuses the same callback.
	if _, code := b.get(callback).landed(); code != "sso_state_used" {
		t.Errorf("replay on node one: %s", code)
	}
}

func TestInProcessStatesAreNotSharedBetweenNodes(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	node2 := newNode(t, se, nil)
	idp.QueueUser(ssotest.Employee("n-1", "nina@alpha.example"))
	b := se.browser()
	callback := b.atIdP(b.initiate(map[string]any{"tenant": "alpha"}))
	if _, code := b.get(strings.Replace(callback, se.https.URL, node2.URL, 1)).landed(); code != "sso_state_invalid" {
		t.Errorf("another node's in-process flow: %s", code)
	}
	// The node that started it still finishes it.
	if _, code := b.get(callback).landed(); code != "" {
		t.Errorf("the starting node: %s", code)
	}
}

// newNode starts another admin API on se's database, public URL and
// keyring, as a second node behind the same balancer; states nil keeps
// its flows in its own process.
func newNode(t *testing.T, se *ssoEnv, states sso.StateStore) *httptest.Server {
	t.Helper()
	srv, err := New(Config{Store: se.store, SessionSecret: []byte(testSecret), Now: se.clock.Now, Configs: testConfigs,
		SSO: SSOOptions{PublicURL: se.https.URL, Keyring: se.keyring, AllowInsecureIssuers: true, States: states}})
	if err != nil {
		t.Fatal(err)
	}
	return newTLS(t, srv)
}

func TestProvidersAreFoundBySlugOrDomainWithoutTellingWhoHasAnAccount(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	se.addTenant("beta")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	var bySlug, byEmail, stranger, other SSOProviders
	se.do("GET", "/auth/sso/providers?tenant=alpha", "", nil).want(http.StatusOK).decode(&bySlug)
	se.do("GET", "/auth/sso/providers?email=admin%40alpha.example", "", nil).want(http.StatusOK).decode(&byEmail)
	se.do("GET", "/auth/sso/providers?email=nobody%40alpha.example", "", nil).want(http.StatusOK).decode(&stranger)
	se.do("GET", "/auth/sso/providers?tenant=beta", "", nil).want(http.StatusOK).decode(&other)
	want := SSOProvider{Tenant: SSOTenant{Slug: "alpha", Name: "ALPHA Bank"}, DisplayName: "Bank IdP"}
	if len(bySlug.Providers) != 1 || bySlug.Providers[0] != want || len(byEmail.Providers) != 1 || byEmail.Providers[0] != want {
		t.Errorf("by slug %+v, by e-mail %+v", bySlug, byEmail)
	}
	if len(stranger.Providers) != 1 || stranger.Providers[0] != want {
		t.Errorf("an unknown address of the domain is told apart: %+v", stranger)
	}
	if len(other.Providers) != 0 {
		t.Errorf("beta (no SSO): %+v", other)
	}
	for _, q := range []string{"", "?tenant=alpha&email=a%40alpha.example", "?email=not-an-address", "?tenant=alpha&x=1"} {
		se.do("GET", "/auth/sso/providers"+q, "", nil).want(http.StatusBadRequest)
	}
}

func TestInitiateRefusesTenantsWithoutSSOAndUnreachableProviders(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	se.addTenant("beta")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	b := se.browser()
	for _, slug := range []string{"beta", "nope"} {
		r := b.post(Prefix+"/auth/sso/initiate", map[string]any{"tenant": slug}).want(http.StatusNotFound)
		if *r.err().Error.Code != CodeSSOUnavailable {
			t.Errorf("%s: %s", slug, r.Body)
		}
	}
	// A node that never saw the provider, while it is down.
	node := newBrowser(t, newNode(t, se, nil))
	idp.Shutdown() //nolint:errcheck
	r := node.post(Prefix+"/auth/sso/initiate", map[string]any{"tenant": "alpha"}).want(http.StatusBadGateway)
	if *r.err().Error.Code != CodeProviderUnreachable {
		t.Errorf("down provider: %s", r.Body)
	}
}

func TestSSOSignInNeedsThePublicURLOutsideDevelopment(t *testing.T) {
	se := newSSOEnv(t, func(c *Config) { c.SSO.PublicURL = "" })
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	cfg := se.configure(a, idpConfig(idp, "alpha.example"))
	if cfg.RedirectURI != "" {
		t.Errorf("redirect_uri %q without a public URL", cfg.RedirectURI)
	}
	r := se.browser().post(Prefix+"/auth/sso/initiate", map[string]any{"tenant": "alpha"}).want(http.StatusServiceUnavailable)
	if !strings.Contains(r.err().Error.Message, "AIGW_PUBLIC_URL") {
		t.Errorf("%s", r.Body)
	}
	if _, err := New(Config{Store: se.store, SessionSecret: []byte(testSecret), Configs: testConfigs,
		SSO: SSOOptions{PublicURL: "http://aigw.bank.example"}}); err == nil {
		t.Error("an http public URL was accepted outside development")
	}
}

func TestSSOOnlyRefusesPasswordsAfterTheAdminProvedSSO(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	body := idpConfig(idp, "alpha.example")
	se.configure(a, body)
	body["sso_only"] = true
	// A password session cannot turn SSO-only on.
	se.do("PUT", "/sso/config", a.Tokens["admin"], body).want(http.StatusUnprocessableEntity)
	// An admin signed in through this configuration can.
	idp.QueueUser(ssotest.Employee("boss", "admin@alpha.example", "aigw-admins"))
	b := se.browser()
	if _, code := b.signIn("alpha", "").landed(); code != "" {
		t.Fatal(code)
	}
	var csrf string
	for _, c := range b.client.Jar.Cookies(mustURL(t, se.https.URL+"/")) {
		if c.Name == CSRFCookie {
			csrf = c.Value
		}
	}
	req := putJSON(t, se.https.URL+Prefix+"/sso/config", body, CSRFHeader, csrf)
	b.do(req).want(http.StatusOK)

	// Passwords: a right one is told to use SSO, a wrong one is the usual 401.
	r := se.do("POST", "/auth/login", "", map[string]any{"email": "user@alpha.example", "password": testPassword}).want(http.StatusForbidden)
	if *r.err().Error.Code != CodeSSORequired {
		t.Errorf("%s", r.Body)
	}
	se.do("POST", "/auth/login", "", map[string]any{"email": "user@alpha.example", "password": "a wrong password"}).want(http.StatusUnauthorized)
	var denied int
	se.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE tenant_id = $1 AND action = 'auth.login'
AND outcome = 'denied' AND details->>'reason' = 'sso_only'`, a.ID).Scan(&denied) //nolint:errcheck
	if denied != 1 {
		t.Errorf("%d refused password sign-ins audited, want 1", denied)
	}
	var ps SSOProviders
	se.do("GET", "/auth/sso/providers?tenant=alpha", "", nil).want(http.StatusOK).decode(&ps)
	if len(ps.Providers) != 1 || !ps.Providers[0].SSOOnly {
		t.Errorf("providers %+v", ps)
	}
	// Sessions opened before stay valid until they end; new SSO sign-ins work.
	se.do("GET", "/auth/me", a.Tokens["viewer"], nil).want(http.StatusOK)
	idp.QueueUser(ssotest.Employee("boss", "admin@alpha.example", "aigw-admins"))
	if _, code := se.browser().signIn("alpha", "").landed(); code != "" {
		t.Errorf("SSO sign-in under SSO-only: %s", code)
	}
}
