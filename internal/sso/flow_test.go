package sso

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/aigw/aigw/internal/sso/ssotest"
)

const redirectURL = "https://aigw.bank.example/api/v1/admin/auth/sso/callback"

func newRP(t *testing.T, idp *ssotest.IdP) *RelyingParty {
	t.Helper()
	p, err := NewProviders(devPolicy, 0, nil).Discover(context.Background(), idp.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return &RelyingParty{Provider: p, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret, RedirectURL: redirectURL,
		Scopes: []string{"openid", "email", "profile", "groups"}, RoleClaim: "groups"}
}

// authorize plays the browser at the provider: it follows the
// authorization URL and returns the code and state sent back.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d %v", res.StatusCode, err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURL {
		t.Fatalf("sent back to %s", got)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// signIn runs a whole flow and returns what Finish says.
func signIn(t *testing.T, rp *RelyingParty) (*Identity, error) {
	t.Helper()
	st := rp.Begin("tenant-1", "/", "", StateTTL)
	code, state := authorize(t, st.AuthURL)
	if state != st.State {
		t.Fatalf("state %q came back as %q", st.State, state)
	}
	return rp.Finish(context.Background(), &st.Flow, code)
}

func refusalCode(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return ""
}

func TestCodeFlowWithPKCEReturnsTheVerifiedIdentity(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	rp := newRP(t, idp)
	idp.QueueUser(ssotest.Employee("u-1", "Jane@Bank.example", "aigw-admins", "staff"))
	st := rp.Begin("tenant-1", "/keys", "jane@bank.example", StateTTL)
	u, _ := url.Parse(st.AuthURL)
	q := u.Query()
	sum := sha256.Sum256([]byte(st.Flow.Verifier))
	want := map[string]string{"code_challenge_method": "S256", "code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]),
		"nonce": st.Flow.Nonce, "state": st.State, "login_hint": "jane@bank.example", "response_type": "code",
		"client_id": idp.ClientID, "redirect_uri": redirectURL, "scope": "openid email profile groups"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorization URL %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(st.State) < 43 || len(st.Flow.Nonce) < 43 || len(st.Flow.Verifier) < 43 || st.Flow.Binding == st.Binding ||
		!st.Flow.BindingMatches(st.Binding) || st.Flow.BindingMatches("") || st.Flow.BindingMatches("x") {
		t.Errorf("weak or unbound flow: %+v", st)
	}
	code, _ := authorize(t, st.AuthURL)
	id, err := rp.Finish(context.Background(), &st.Flow, code)
	if err != nil {
		t.Fatal(err)
	}
	wantID := &Identity{Issuer: idp.Issuer(), Subject: "u-1", Email: "Jane@Bank.example", EmailVerified: true,
		Name: "Employee u-1", Groups: []string{"aigw-admins", "staff"}}
	if diff := cmp.Diff(wantID, id); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	// The provider's code is single use.
	if _, err := rp.Finish(context.Background(), &st.Flow, code); refusalCode(err) != CodeExchangeFailed {
		t.Errorf("second exchange of one code: %v", err)
	}
}

func TestTheProviderRefusesAWrongVerifier(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	rp := newRP(t, idp)
	st := rp.Begin("tenant-1", "/", "", StateTTL)
	code, _ := authorize(t, st.AuthURL)
	st.Flow.Verifier = "an-intercepted-code-without-the-verifier-is-useless-0123456789"
	if _, err := rp.Finish(context.Background(), &st.Flow, code); refusalCode(err) != CodeExchangeFailed {
		t.Errorf("wrong verifier: %v", err)
	}
}

func TestNonceOfAnotherFlowIsRefused(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	rp := newRP(t, idp)
	victim := rp.Begin("tenant-1", "/", "", StateTTL)
	attacker := rp.Begin("tenant-1", "/", "", StateTTL)
	// The attacker's code (minted for the attacker's nonce) injected into
	// the victim's flow.
	code, _ := authorize(t, attacker.AuthURL)
	victim.Flow.Verifier = attacker.Flow.Verifier
	if _, err := rp.Finish(context.Background(), &victim.Flow, code); refusalCode(err) != CodeNonceMismatch {
		t.Errorf("foreign nonce: %v", err)
	}
}

func TestTokensForAnotherAudienceIssuerOrKeyAreRefused(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	other := ssotest.Start(t, ssotest.Key(t, 1))
	rp := newRP(t, idp)
	stranger := ssotest.NewKeypair(t, ssotest.Key(t, 2))
	for name, tc := range map[string]struct {
		edit func(c jwt.MapClaims) *mockoidc.Keypair
		want string
	}{
		"another client": {func(c jwt.MapClaims) *mockoidc.Keypair { c["aud"] = "another-app"; return nil }, CodeWrongAudience},
		"several audiences, no azp": {func(c jwt.MapClaims) *mockoidc.Keypair {
			c["aud"] = []string{idp.ClientID, "another-app"}
			return nil
		}, CodeWrongAudience},
		"another provider's token": {func(c jwt.MapClaims) *mockoidc.Keypair { c["iss"] = other.Issuer(); return other.Keypair }, CodeWrongIssuer},
		"right key, other issuer":  {func(c jwt.MapClaims) *mockoidc.Keypair { c["iss"] = other.Issuer(); return nil }, CodeWrongIssuer},
		"unknown key":              {func(c jwt.MapClaims) *mockoidc.Keypair { return stranger }, CodeTokenInvalid},
		"expired": {func(c jwt.MapClaims) *mockoidc.Keypair {
			c["exp"] = time.Now().Add(-time.Minute).Unix()
			return nil
		}, CodeTokenExpired},
	} {
		t.Run(name, func(t *testing.T) {
			idp.RewriteNextIDToken(tc.edit)
			if _, err := signIn(t, rp); refusalCode(err) != tc.want {
				t.Errorf("err %v, want %s", err, tc.want)
			}
		})
	}
	// Several audiences with this client as the authorized party pass.
	idp.RewriteNextIDToken(func(c jwt.MapClaims) *mockoidc.Keypair {
		c["aud"], c["azp"] = []string{idp.ClientID, "another-app"}, idp.ClientID
		return nil
	})
	if _, err := signIn(t, rp); err != nil {
		t.Errorf("azp = client: %v", err)
	}
}

func TestTokensExpireOnTheRelyingPartysClock(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	rp := newRP(t, idp)
	clock := ssotestClock()
	rp.Now = clock.Now
	clock.Add(11 * time.Minute) // the provider's tokens live 10 minutes
	if _, err := signIn(t, rp); refusalCode(err) != CodeTokenExpired {
		t.Errorf("err %v, want expired", err)
	}
}

func TestProviderKeyRotationIsFollowedAndRetiredKeysRefused(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	rp := newRP(t, idp)
	if _, err := signIn(t, rp); err != nil {
		t.Fatal(err)
	}
	oldKey := idp.Keypair
	idp.Rotate(t, ssotest.Key(t, 1))
	if _, err := signIn(t, rp); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	// A token still signed with the retired key is no longer accepted.
	idp.RewriteNextIDToken(func(jwt.MapClaims) *mockoidc.Keypair { return oldKey })
	if _, err := signIn(t, rp); refusalCode(err) != CodeTokenInvalid {
		t.Errorf("retired key: %v", err)
	}
}

func TestIdentityClaims(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Key(t, 0))
	rp := newRP(t, idp)
	rp.RoleClaim = "realm_access.roles"
	idp.QueueUser(&ssotest.User{Subject: "kc-1", Extra: map[string]any{"email": "a@b.example", "email_verified": "true",
		"preferred_username": "ab", "realm_access": map[string]any{"roles": []any{"aigw-manager", 7}}}})
	id, err := signIn(t, rp)
	if err != nil {
		t.Fatal(err)
	}
	if !id.EmailVerified || id.Name != "ab" || !cmp.Equal(id.Groups, []string{"aigw-manager"}) {
		t.Errorf("keycloak-style identity %+v", id)
	}
	// Entra ID: no email_verified, xms_edov instead.
	idp.QueueUser(&ssotest.User{Subject: "entra-1", Extra: map[string]any{"email": "a@b.example", "xms_edov": true}})
	if id, err = signIn(t, rp); err != nil || !id.EmailVerified {
		t.Errorf("xms_edov: %+v %v", id, err)
	}
	idp.QueueUser(&ssotest.User{Subject: "u-2", Extra: map[string]any{"email": "a@b.example", "email_verified": false}})
	if id, err = signIn(t, rp); err != nil || id.EmailVerified {
		t.Errorf("unverified: %+v %v", id, err)
	}
}
