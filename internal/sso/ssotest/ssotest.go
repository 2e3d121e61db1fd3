// Package ssotest starts a real OpenID Connect provider in process for
// tests (github.com/oauth2-proxy/mockoidc: discovery, authorization
// endpoint, token endpoint with PKCE, JWKS) and adds what tests of a
// relying party need: users with any claims, key rotation, and one-shot
// rewrites of the ID token the token endpoint answers (another audience,
// another issuer's key), to prove that the relying party refuses them.
package ssotest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// IdP is an identity provider on 127.0.0.1 over plain HTTP.
type IdP struct {
	*mockoidc.MockOIDC

	mu      sync.Mutex
	rewrite []func(claims jwt.MapClaims) *mockoidc.Keypair
}

var keys struct {
	mu   sync.Mutex
	pool []*rsa.PrivateKey
}

// Key returns the i-th test RSA key, generated once per test binary.
func Key(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keys.mu.Lock()
	defer keys.mu.Unlock()
	for len(keys.pool) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		keys.pool = append(keys.pool, k)
	}
	return keys.pool[i]
}

// Start runs a provider signing with key until the test ends.
func Start(t testing.TB, key *rsa.PrivateKey) *IdP {
	t.Helper()
	m, err := mockoidc.NewServer(key)
	if err != nil {
		t.Fatal(err)
	}
	p := &IdP{MockOIDC: m}
	if err := m.AddMiddleware(p.rewriteTokens); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() }) //nolint:errcheck
	return p
}

// Rotate makes the provider sign with key from now on; its JWKS publishes
// only the new key, as after a provider's rotation.
func (p *IdP) Rotate(t testing.TB, key *rsa.PrivateKey) {
	t.Helper()
	kp, err := mockoidc.NewKeypair(key)
	if err != nil {
		t.Fatal(err)
	}
	p.Keypair = kp
}

// KeyID is the id of the key the provider signs with now.
func (p *IdP) KeyID(t testing.TB) string {
	t.Helper()
	kid, err := p.Keypair.KeyID()
	if err != nil {
		t.Fatal(err)
	}
	return kid
}

// RewriteNextIDToken changes the ID token of the token endpoint's next
// answer: fn edits its claims and returns the key pair to sign it with
// (nil: the provider's own).
func (p *IdP) RewriteNextIDToken(fn func(claims jwt.MapClaims) *mockoidc.Keypair) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewrite = append(p.rewrite, fn)
}

func (p *IdP) nextRewrite() func(jwt.MapClaims) *mockoidc.Keypair {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.rewrite) == 0 {
		return nil
	}
	fn := p.rewrite[0]
	p.rewrite = p.rewrite[1:]
	return fn
}

func (p *IdP) rewriteTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != mockoidc.TokenEndpoint {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &body) == nil && body["id_token"] != nil {
			if fn := p.nextRewrite(); fn != nil {
				body["id_token"] = p.resign(body["id_token"].(string), fn)
				b, _ := json.Marshal(body)
				rec.Body = bytes.NewBuffer(b)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes()) //nolint:errcheck
	})
}

func (p *IdP) resign(token string, fn func(jwt.MapClaims) *mockoidc.Keypair) string {
	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	claims := jwt.MapClaims{}
	json.Unmarshal(payload, &claims) //nolint:errcheck
	kp := fn(claims)
	if kp == nil {
		kp = p.Keypair
	}
	signed, err := kp.SignJWT(claims)
	if err != nil {
		panic(err)
	}
	return signed
}

// NewKeypair returns a key pair of key, to sign rewritten tokens with.
func NewKeypair(t testing.TB, key *rsa.PrivateKey) *mockoidc.Keypair {
	t.Helper()
	kp, err := mockoidc.NewKeypair(key)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// User is a user with any claims: Claims are added to the ID token's
// registered claims (sub, iss, aud, exp, nonce ...).
type User struct {
	// Subject is the sub claim.
	Subject string
	// Extra are the other claims: email, email_verified, name, groups ...
	Extra map[string]any
}

// ID implements mockoidc.User.
func (u *User) ID() string { return u.Subject }

// Userinfo implements mockoidc.User.
func (u *User) Userinfo([]string) ([]byte, error) { return json.Marshal(u.Extra) }

// Claims implements mockoidc.User: every claim of u whatever the scopes.
func (u *User) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	out := jwt.MapClaims{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	for k, v := range u.Extra {
		out[k] = v
	}
	return out, nil
}

// Employee returns a user with a verified e-mail, a name and groups.
func Employee(subject, email string, groups ...string) *User {
	g := make([]any, len(groups))
	for i, s := range groups {
		g[i] = s
	}
	return &User{Subject: subject, Extra: map[string]any{"email": email, "email_verified": true,
		"name": "Employee " + subject, "groups": g}}
}
