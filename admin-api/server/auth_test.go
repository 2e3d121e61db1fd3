package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/aigw/aigw/internal/session"
	"github.com/aigw/aigw/internal/tenantdb"
)

func dev(c *Config) { c.Development = true }

func TestRegisterThenMeThenLogoutEndsTheTokenAtOnce(t *testing.T) {
	e := newEnv(t, dev)
	res := e.do("POST", "/auth/register", "", map[string]any{"tenant_name": "Acme Bank & Trust", "email": "ceo@acme.example",
		"password": "a long enough password", "name": "Ada"}).want(http.StatusCreated)
	var in SignIn
	res.decode(&in)
	if in.TokenType != "bearer" || in.ExpiresIn != 8*3600 || in.User.Role != "admin" || in.Tenant.Slug != "acme-bank-trust" ||
		in.User.TenantID != in.Tenant.ID || in.CSRFToken == "" {
		t.Fatalf("sign-in = %+v", in)
	}
	if strings.Contains(string(res.Body), "argon2") || strings.Contains(string(res.Body), "a long enough password") {
		t.Fatalf("the answer holds the password or its hash: %s", res.Body)
	}
	var me Me
	e.do("GET", "/auth/me", in.AccessToken, nil).want(http.StatusOK).decode(&me)
	if me.User.ID != in.User.ID || me.Session.Method != "password" || me.Permissions[PermAuditRead] != GrantTenant ||
		len(me.Permissions) != len(permissionTable) {
		t.Errorf("me = %+v", me)
	}
	if n := e.auditCount(in.Tenant.ID, "tenant.register"); n != 1 {
		t.Errorf("%d tenant.register events, want 1", n)
	}
	e.do("POST", "/auth/logout", in.AccessToken, nil).want(http.StatusNoContent)
	e.do("GET", "/auth/me", in.AccessToken, nil).want(http.StatusUnauthorized)
	if e.auditCount(in.Tenant.ID, "auth.logout") != 1 || e.auditCount(in.Tenant.ID, "auth.login") != 1 {
		t.Error("sign-in and sign-out are not both audited")
	}
	// A second registration with the same name gets its own slug.
	var again SignIn
	e.do("POST", "/auth/register", "", map[string]any{"tenant_name": "Acme Bank & Trust", "email": "ceo@acme.example",
		"password": "another long password", "name": "Bob"}).want(http.StatusCreated).decode(&again)
	if again.Tenant.Slug == in.Tenant.Slug || !strings.HasPrefix(again.Tenant.Slug, "acme-bank-trust-") {
		t.Errorf("second tenant's slug %q", again.Tenant.Slug)
	}
	// The e-mail now has accounts in two tenants: the password picks one,
	// and the tenant's slug picks one when both match.
	e.do("POST", "/auth/login", "", map[string]any{"email": "ceo@acme.example", "password": "another long password"}).want(http.StatusOK)
}

func TestRegistrationIsClosedOutsideDevelopment(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"tenant_name": "X", "email": "x@x.example", "password": "a long enough password", "name": "X"}
	if b := e.do("POST", "/auth/register", "", body).want(http.StatusForbidden).err(); *b.Error.Code != CodeRegistration {
		t.Errorf("code %v", *b.Error.Code)
	}
	open := newEnv(t, func(c *Config) { c.AllowRegistration = true })
	open.do("POST", "/auth/register", "", body).want(http.StatusCreated)
}

func TestRegistrationValidatesEveryField(t *testing.T) {
	e := newEnv(t, dev)
	good := map[string]any{"tenant_name": "X Bank", "email": "x@x.example", "password": "a long enough password", "name": "X"}
	for field, bad := range map[string]any{"tenant_name": "", "email": "not an address", "password": "short", "name": "  "} {
		body := map[string]any{}
		for k, v := range good {
			body[k] = v
		}
		body[field] = bad
		b := e.do("POST", "/auth/register", "", body).want(http.StatusBadRequest).err()
		if b.Error.Param == nil || *b.Error.Param != field {
			t.Errorf("bad %s: param %v, message %q", field, b.Error.Param, b.Error.Message)
		}
	}
}

func TestWrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	wrong := e.do("POST", "/auth/login", "", map[string]any{"email": "admin@alpha.example", "password": "wrong password!"}).want(http.StatusUnauthorized)
	unknown := e.do("POST", "/auth/login", "", map[string]any{"email": "nobody@alpha.example", "password": "wrong password!"}).want(http.StatusUnauthorized)
	if string(wrong.Body) != string(unknown.Body) {
		t.Errorf("answers differ: %s vs %s", wrong.Body, unknown.Body)
	}
	if n := e.auditCount(a.ID, "auth.login"); n != 5 { // four fixture sign-ins and one failure
		t.Errorf("%d auth.login events on the tenant's chain, want 5", n)
	}
	var failures int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE action = 'auth.login' AND outcome = 'failure'`).Scan(&failures) //nolint:errcheck
	if failures != 2 {
		t.Errorf("%d failed sign-ins audited, want 2 (one per chain)", failures)
	}
}

func TestSuspendedUserCannotSignInAndLosesTheSession(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["user"]
	sc := tenantdb.New(e.store, a.ID, tenantdb.Actor{UserID: a.Users["admin"].ID})
	suspended := tenantdb.StatusSuspended
	if _, err := sc.UpdateUser(context.Background(), a.Users["user"].ID, tenantdb.UserPatch{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/auth/me", tok, nil).want(http.StatusUnauthorized)
	e.do("POST", "/auth/login", "", map[string]any{"email": "user@alpha.example", "password": testPassword}).want(http.StatusUnauthorized)
}

func TestLoginIsThrottledPerAccountAndAudited(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	for i := 0; i < maxAccountFailures; i++ {
		e.do("POST", "/auth/login", "", map[string]any{"email": "ADMIN@alpha.example", "password": "guess number " + string(rune('a'+i))}).want(http.StatusUnauthorized)
	}
	res := e.do("POST", "/auth/login", "", map[string]any{"email": "admin@alpha.example", "password": testPassword}).want(http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") != "900" {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	if n := e.auditCount(a.ID, "security.login_throttled"); n != 1 {
		t.Errorf("%d security.login_throttled events, want 1", n)
	}
	// Another account from the same address still signs in.
	e.login("manager@alpha.example", testPassword)
	// After the window the account signs in again, and a success clears its failures.
	e.clock.Add(throttleWindow + time.Second)
	e.login("admin@alpha.example", testPassword)
}

func TestLoginIsThrottledPerAddress(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < maxAddressFailures; i++ {
		e.do("POST", "/auth/login", "", map[string]any{"email": "someone" + string(rune('a'+i)) + "@x.example", "password": "wrong password"}).want(http.StatusUnauthorized)
	}
	e.do("POST", "/auth/login", "", map[string]any{"email": "other@x.example", "password": "wrong password"}).want(http.StatusTooManyRequests)
	// Behind a trusted proxy (the gateway on loopback) the forwarded address counts.
	e.do("POST", "/auth/login", "", map[string]any{"email": "other@x.example", "password": "wrong password"},
		"X-Forwarded-For", "203.0.113.7").want(http.StatusUnauthorized)
}

func TestSessionsExpireAndIdleOut(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["viewer"]
	e.clock.Add(59 * time.Minute)
	e.do("GET", "/auth/me", tok, nil).want(http.StatusOK) // moves the idle timeout on
	e.clock.Add(59 * time.Minute)
	e.do("GET", "/auth/me", tok, nil).want(http.StatusOK)
	e.clock.Add(61 * time.Minute)
	e.do("GET", "/auth/me", tok, nil).want(http.StatusUnauthorized) // idle for over an hour
	tok = e.login("viewer@alpha.example", testPassword)
	for i := 0; i < 8; i++ { // 7 h 20 min, never idle for long
		e.clock.Add(55 * time.Minute)
		e.do("GET", "/auth/me", tok, nil).want(http.StatusOK)
	}
	e.clock.Add(55 * time.Minute)
	e.do("GET", "/auth/me", tok, nil).want(http.StatusUnauthorized) // past the 8 h absolute end
}

func TestForgedAndMalformedTokensAreRefused(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	other, _ := session.NewSigner([]byte("another secret, also 32 bytes long!!"))
	claims, _ := e.srv.signer.Parse(a.Tokens["viewer"], e.clock.Now())
	forged, _ := other.Sign(claims)
	// A token naming the admin's user with the viewer's session id.
	claims.UserID = a.Users["admin"].ID
	swapped, _ := e.srv.signer.Sign(claims)
	for name, hdr := range map[string]string{
		"forged":  "Bearer " + forged,
		"swapped": "Bearer " + swapped,
		"basic":   "Basic YWRtaW46YWRtaW4=",
		"empty":   "Bearer ",
		"junk":    "Bearer ' OR 1=1 --",
	} {
		res := e.do("GET", "/auth/me", "", nil, "Authorization", hdr)
		if res.Status != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, res.Status)
		}
	}
	e.do("GET", "/auth/me", "", nil).want(http.StatusUnauthorized)
}

func TestCookieSessionsNeedTheCSRFHeaderOnUnsafeMethods(t *testing.T) {
	e := newEnv(t)
	e.addTenant("alpha")
	res := e.do("POST", "/auth/login", "", map[string]any{"email": "admin@alpha.example", "password": testPassword}).want(http.StatusOK)
	var in SignIn
	res.decode(&in)
	var sess, csrf *http.Cookie
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		switch c.Name {
		case SessionCookie:
			sess = c
		case CSRFCookie:
			csrf = c
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || !sess.Secure || sess.Path != Prefix {
		t.Fatalf("session cookie %+v", sess)
	}
	if csrf == nil || csrf.HttpOnly || csrf.Value != in.CSRFToken {
		t.Fatalf("csrf cookie %+v", csrf)
	}
	cookie := SessionCookie + "=" + sess.Value
	e.do("GET", "/auth/me", "", nil, "Cookie", cookie).want(http.StatusOK)
	b := e.do("POST", "/auth/logout", "", nil, "Cookie", cookie).want(http.StatusForbidden).err()
	if *b.Error.Code != CodeCSRF {
		t.Errorf("code %s", *b.Error.Code)
	}
	e.do("POST", "/auth/logout", "", nil, "Cookie", cookie, CSRFHeader, "forged").want(http.StatusForbidden)
	e.do("POST", "/auth/logout", "", nil, "Cookie", cookie, CSRFHeader, csrf.Value).want(http.StatusNoContent)
	e.do("GET", "/auth/me", "", nil, "Cookie", cookie).want(http.StatusUnauthorized)
}

func TestBcryptPasswordsAreRehashedOnSignIn(t *testing.T) {
	e := newEnv(t)
	e.addTenant("alpha")
	old, _ := bcrypt.GenerateFromPassword([]byte("an older bcrypt password"), bcrypt.MinCost)
	if _, err := e.pool.Exec(context.Background(), `UPDATE users SET password_hash = $1 WHERE email = 'user@alpha.example'`, string(old)); err != nil {
		t.Fatal(err)
	}
	e.login("user@alpha.example", "an older bcrypt password")
	var hash string
	e.pool.QueryRow(context.Background(), `SELECT password_hash FROM users WHERE email = 'user@alpha.example'`).Scan(&hash) //nolint:errcheck
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("hash after sign-in %q, want argon2id", hash[:10])
	}
	e.login("user@alpha.example", "an older bcrypt password")
}

func TestSeededDemoAdminSignsIn(t *testing.T) {
	e := newEnv(t)
	d, err := e.store.SeedDemo(context.Background())
	if err != nil || d == nil {
		t.Fatal(d, err)
	}
	e.login(d.AdminEmail, d.AdminPassword)
}
