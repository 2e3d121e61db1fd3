package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/aigw/aigw/internal/sso/ssotest"
	"github.com/aigw/aigw/internal/tenantdb"
)

// refusalCase is a sign-in that must be refused with code: setup prepares
// the provider or the tenant, run plays the browser up to the callback.
// Only the replay case opens a session: the first, legitimate, use.
type refusalCase struct {
	code  string
	setup func()
	run   func(b *browser) *response
}

func TestEveryRefusedSignInIsExplainedAuditedAndOpensNoSession(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	other := ssotest.Start(t, ssotest.Key(t, 1))
	cfgBody := idpConfig(idp, "alpha.example")
	se.configure(a, cfgBody)
	start := func(b *browser) string {
		return b.atIdP(b.initiate(map[string]any{"tenant": "alpha", "return_to": "/audit"}))
	}
	whole := func(b *browser) *response { return b.get(start(b)) }
	queue := func(u *ssotest.User) func() { return func() { idp.QueueUser(u) } }
	rewrite := func(fn func(c jwt.MapClaims) *mockoidc.Keypair) func() {
		return func() { idp.QueueUser(ssotest.Employee("ok", "ok@alpha.example")); idp.RewriteNextIDToken(fn) }
	}
	cases := map[string]refusalCase{
		"replayed state": {"sso_state_used", queue(ssotest.Employee("r", "r@alpha.example")), func(b *browser) *response {
			cb := start(b)
			if _, code := b.get(cb).landed(); code != "" {
				t.Fatalf("first use: %s", code)
			}
			return b.get(cb)
		}},
		"expired state": {"sso_state_expired", queue(ssotest.Employee("e", "e@alpha.example")), func(b *browser) *response {
			cb := start(b)
			se.clock.Add(10*time.Minute + time.Second)
			defer se.clock.Add(-10*time.Minute - time.Second) // the provider's tokens live on real time
			return b.get(cb)
		}},
		"another browser": {"sso_browser_mismatch", queue(ssotest.Employee("m", "m@alpha.example")), func(b *browser) *response {
			return se.browser().get(start(b))
		}},
		"wrong nonce": {"sso_nonce_mismatch", queue(ssotest.Employee("n", "n@alpha.example")), func(b *browser) *response {
			u, _ := url.Parse(b.initiate(map[string]any{"tenant": "alpha"}))
			q := u.Query()
			q.Set("nonce", "a-nonce-of-another-flow")
			u.RawQuery = q.Encode()
			return b.get(u.String())
		}},
		"token of another issuer": {"sso_wrong_issuer", rewrite(func(c jwt.MapClaims) *mockoidc.Keypair {
			c["iss"] = other.Issuer()
			return other.Keypair
		}), whole},
		"token for another client": {"sso_wrong_audience", rewrite(func(c jwt.MapClaims) *mockoidc.Keypair {
			c["aud"] = "payments-app"
			return nil
		}), whole},
		"expired token": {"sso_token_expired", rewrite(func(c jwt.MapClaims) *mockoidc.Keypair {
			c["exp"] = se.clock.Now().Add(-time.Second).Unix()
			return nil
		}), whole},
		"unverified e-mail": {"sso_email_unverified", queue(&ssotest.User{Subject: "u", Extra: map[string]any{
			"email": "u@alpha.example", "email_verified": false}}), whole},
		"no e-mail":                     {"sso_email_missing", queue(&ssotest.User{Subject: "x", Extra: map[string]any{"email_verified": true}}), whole},
		"domain outside the allow-list": {"sso_domain_not_allowed", queue(ssotest.Employee("d", "d@evil.example")), whole},
		"provider error": {"sso_idp_error", nil, func(b *browser) *response {
			u, _ := url.Parse(b.initiate(map[string]any{"tenant": "alpha"}))
			return b.get(se.https.URL + ssoCallback + "?error=access_denied&error_description=no&state=" + url.QueryEscape(u.Query().Get("state")))
		}},
		"mix-up (iss parameter)": {"sso_wrong_issuer", queue(ssotest.Employee("i", "i@alpha.example")), func(b *browser) *response {
			return b.get(start(b) + "&iss=" + url.QueryEscape(other.Issuer()))
		}},
		"suspended user": {"sso_user_suspended", func() {
			idp.QueueUser(ssotest.Employee("s", "user@alpha.example"))
			st := tenantdb.StatusSuspended
			sc := tenantdb.New(se.store, a.ID, tenantdb.Actor{})
			if _, err := sc.UpdateUser(context.Background(), a.Users["user"].ID, tenantdb.UserPatch{Status: &st}); err != nil {
				t.Fatal(err)
			}
		}, whole},
		"SSO turned off mid-flow": {"sso_unavailable", queue(ssotest.Employee("o", "o@alpha.example")), func(b *browser) *response {
			cb := start(b)
			off := idpConfig(idp, "alpha.example")
			off["enabled"] = false
			se.do("PUT", "/sso/config", a.Tokens["admin"], off).want(http.StatusOK)
			res := b.get(cb)
			se.do("PUT", "/sso/config", a.Tokens["admin"], cfgBody).want(http.StatusOK)
			return res
		}},
		"configuration changed mid-flow": {"sso_config_changed", queue(ssotest.Employee("c", "c@alpha.example")), func(b *browser) *response {
			cb := start(b)
			changed := idpConfig(idp, "alpha.example")
			changed["client_id"] = "another-registration"
			se.do("PUT", "/sso/config", a.Tokens["admin"], changed).want(http.StatusOK)
			res := b.get(cb)
			se.do("PUT", "/sso/config", a.Tokens["admin"], cfgBody).want(http.StatusOK)
			return res
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := se.refusals(a.ID, tc.code)
			if tc.setup != nil {
				tc.setup()
			}
			b := se.browser()
			sessions := se.sessions()
			path, code := tc.run(b).landed()
			if path != SSOErrorPage || code != tc.code {
				t.Errorf("landed on %s with sso_error=%q, want %s", path, code, tc.code)
			}
			opened := se.sessions() - sessions
			if tc.code == "sso_state_used" {
				opened-- // the first use
			}
			if opened != 0 {
				t.Errorf("a refused sign-in opened %d sessions", opened)
			}
			if se.refusals(a.ID, tc.code) != before+1 {
				t.Errorf("no security.sso_refused event with reason %s on the tenant's chain", tc.code)
			}
		})
	}
}

// sessions counts the sessions ever opened.
func (e *env) sessions() int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM admin_sessions`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// refusals counts security.sso_refused events of tenant with reason code.
func (e *env) refusals(tenantID, code string) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE action = 'security.sso_refused'
AND outcome = 'denied' AND tenant_id IS NOT DISTINCT FROM nullif($1, '')::uuid AND details->>'reason' = $2`, tenantID, code).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestForgedAndMalformedCallbacksAreRefusedOnTheSystemChain(t *testing.T) {
	se := newSSOEnv(t)
	b := se.browser()
	for _, q := range []string{"", "?code=abc", "?state=forged&code=abc", "?state=" + strings.Repeat("s", 5000) + "&code=x", "?state=a%20b&code=c"} {
		path, code := b.get(ssoCallback + q).landed()
		if path != SSOErrorPage || code != "sso_state_invalid" {
			t.Errorf("%q: %s %s", q, path, code)
		}
	}
	if n := se.refusals("", "sso_state_invalid"); n != 5 {
		t.Errorf("%d refusals on the system chain, want 5", n)
	}
}

func TestRefusalRedirectKeepsTheSafeReturnPathAndNothingElse(t *testing.T) {
	se := newSSOEnv(t)
	a := se.addTenant("alpha")
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	se.configure(a, idpConfig(idp, "alpha.example"))
	idp.QueueUser(ssotest.Employee("d", "d@evil.example"))
	b := se.browser()
	res := b.get(b.initiate(map[string]any{"tenant": "alpha", "return_to": "/keys?x=1&y=2"}))
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc.Host != "" || loc.Path != SSOErrorPage || loc.Query().Get("next") != "/keys?x=1&y=2" || loc.Query().Get("sso_error") != "sso_domain_not_allowed" {
		t.Errorf("Location %s", res.Header.Get("Location"))
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q on the callback", res.Header.Get("Referrer-Policy"))
	}
}
